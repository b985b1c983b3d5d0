export { ALERT_SCHEMA_VERSION, type Alert, AlertSchema, alertFor, dashboardLinks, type RunResult } from "./alert.ts";
export { type AlertsConfig, AlertsConfigSchema, hasChannels } from "./config.ts";
export { channelName, type Delivery, deliverAlert } from "./deliver.ts";
export { alertText, alertTitle, slackPayload } from "./payloads.ts";
