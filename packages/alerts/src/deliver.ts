import { setTimeout as sleep } from "node:timers/promises";
import got from "got";
import nodemailer from "nodemailer";
import type { Alert } from "./alert.ts";
import type { AlertsConfig } from "./config.ts";
import { alertText, alertTitle, slackPayload } from "./payloads.ts";

/** One channel's outcome. The channel is named without its URL's path or query (where webhook secrets live). */
export interface Delivery {
  alertId: string;
  channel: string;
  delivered: boolean;
  attempts: number;
  error?: string;
}

const TIMEOUT_MS = 10_000;
const BACKOFF_MS = [1_000, 4_000, 15_000];

/** Pure: a webhook as it may be shown: scheme, host and port only. */
export const channelName = (url: string) => {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}`;
};

export interface DeliverOptions {
  signal?: AbortSignal;
  backoffMs?: number[];
  /** Channels that already have this alert: not sent again. */
  skip?: ReadonlySet<string>;
}

/** Sends the alert to every configured channel, each retried with backoff; never throws: each outcome is returned. */
export async function deliverAlert(alert: Alert, config: AlertsConfig, options: DeliverOptions = {}): Promise<Delivery[]> {
  const attempt = async (channel: string, send: () => Promise<unknown>) =>
    options.skip?.has(channel) ? [] : [await withRetries(alert.id, channel, send, config.attempts, options.backoffMs ?? BACKOFF_MS, options.signal)];
  const webhooks = config.webhooks.map((hook) =>
    attempt(`webhook ${channelName(hook.url)}`, () =>
      got
        .post(hook.url, {
          json: hook.format === "slack" ? slackPayload(alert) : alert,
          timeout: { request: TIMEOUT_MS },
          retry: { limit: 0 },
          signal: options.signal,
        })
        .catch((error: Error) => {
          throw new Error(error.message.replaceAll(hook.url, channelName(hook.url)));
        }),
    ),
  );
  const { email } = config;
  const mail = email
    ? [
        attempt(`email via ${channelName(email.smtp)}`, async () => {
          const transport = nodemailer.createTransport({
            url: email.smtp,
            connectionTimeout: TIMEOUT_MS,
            greetingTimeout: TIMEOUT_MS,
            socketTimeout: TIMEOUT_MS,
          });
          try {
            await transport.sendMail({ from: email.from, to: email.to, subject: alertTitle(alert), text: alertText(alert) });
          } finally {
            transport.close();
          }
        }),
      ]
    : [];
  return (await Promise.all([...webhooks, ...mail])).flat();
}

async function withRetries(
  alertId: string,
  channel: string,
  send: () => Promise<unknown>,
  attempts: number,
  backoffMs: number[],
  signal?: AbortSignal,
): Promise<Delivery> {
  let error = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await send();
      return { alertId, channel, delivered: true, attempts: attempt };
    } catch (cause) {
      error = (cause as Error).message;
      if (attempt < attempts && !signal?.aborted)
        await sleep(backoffMs[Math.min(attempt - 1, backoffMs.length - 1)] ?? 0, undefined, { signal }).catch(() => undefined);
    }
  }
  return { alertId, channel, delivered: false, attempts, error };
}
