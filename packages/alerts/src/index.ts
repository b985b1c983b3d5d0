export { ALERT_SCHEMA_VERSION, type Alert, AlertSchema, alertFor, type RunResult } from "./alert.ts";
export { type AlertsConfig, AlertsConfigSchema } from "./config.ts";
export { channelName, type Delivery, deliverAlert } from "./deliver.ts";
export { alertText, alertTitle, slackPayload } from "./payloads.ts";
