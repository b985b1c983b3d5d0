import { z } from "zod";

/** `alerts:` in msf.config.yaml. Webhook URLs often carry a secret (Slack's do): never logged or reported. */
export const AlertsConfigSchema = z
  .object({
    /** Where the dashboard is, for the links in an alert (e.g. https://msf.example.org). */
    dashboardUrl: z.url().optional(),
    webhooks: z
      .array(
        z
          .object({
            url: z.url(),
            /** json: msf's versioned alert document; slack: a Slack- and Mattermost-compatible message. */
            format: z.enum(["json", "slack"]).default("json"),
          })
          .strict(),
      )
      .default([]),
    email: z
      .object({
        /** The relay, smtp://host:port (no credentials in the URL). */
        smtp: z
          .url()
          .refine((url) => /^smtps?:\/\/[^@/]+$/.test(url.replace(/\/$/, "")), "expected smtp://host:port or smtps://host:port, without a user or password"),
        from: z.email(),
        to: z.array(z.email()).min(1),
      })
      .strict()
      .optional(),
    /** Delivery attempts per channel (with backoff) before the failure is recorded. */
    attempts: z.number().int().min(1).max(10).default(3),
  })
  .strict();

export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;

/** Pure: whether any channel is configured. */
export const hasChannels = (config: AlertsConfig) => config.webhooks.length > 0 || config.email !== undefined;
