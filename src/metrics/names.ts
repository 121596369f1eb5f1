/**
 * Every metric the exporter serves: name, HELP and the labels beyond the per-number
 * ones. HELP names the upstream field and the unit, since the API leaves units open.
 */
export interface MetricDefinition {
  readonly name: string;
  readonly help: string;
  /** Labels this metric has besides `account`, `number`, `owner` and configured ones. */
  readonly extraLabels?: readonly string[];
}

const CACHED = "Up to cache.ttl old.";

const define = <T extends Record<string, MetricDefinition>>(metrics: T): T => metrics;

/** Per-number gauges, one series per number unless their labels say otherwise. */
export const NUMBER_METRICS = define({
  up: {
    name: "vobiz_number_up",
    help: "1 when this scrape holds a valid health answer from Vobiz for the number, else 0.",
  },
  calls: {
    name: "vobiz_number_calls",
    help: `Calls in the health window (summary.total_calls). ${CACHED}`,
  },
  answeredCalls: {
    name: "vobiz_number_answered_calls",
    help: `Answered calls in the health window (summary.answered_calls). ${CACHED}`,
  },
  answerRatio: {
    name: "vobiz_number_answer_ratio",
    help:
      "Answered share of calls in the health window, 0 to 1 (summary.answered_calls / " +
      `summary.total_calls, else summary.answer_rate); absent without calls. ${CACHED}`,
  },
  callTime: {
    name: "vobiz_number_call_time_seconds",
    help: `Talk time in the health window in seconds (summary.total_minutes * 60). ${CACHED}`,
  },
  averageDuration: {
    name: "vobiz_number_average_call_duration_seconds",
    help: `Mean call duration in the health window in seconds (summary.avg_duration). ${CACHED}`,
  },
  spam: {
    name: "vobiz_number_spam",
    help: `1 when Vobiz flags the number as spam (is_spam), else 0. ${CACHED}`,
  },
  status: {
    name: "vobiz_number_status",
    help: `Number status (status) as a state set: the current state is 1, others 0. ${CACHED}`,
    extraLabels: ["status"],
  },
  usageStatus: {
    name: "vobiz_number_usage_status",
    help:
      "Usage or reputation rating (usage_status) as a state set: the current one is 1. " +
      CACHED,
    extraLabels: ["usage_status"],
  },
  window: {
    name: "vobiz_number_window_seconds",
    help: `Length of the health window in seconds (summary.period_days * 86400). ${CACHED}`,
  },
  lastPeriodCalls: {
    name: "vobiz_number_last_period_calls",
    help: `Calls in the newest complete period (snapshots[].total_calls). ${CACHED}`,
    extraLabels: ["granularity"],
  },
  lastPeriodAnsweredCalls: {
    name: "vobiz_number_last_period_answered_calls",
    help: `Answered calls in the newest complete period (snapshots[].answered_calls). ${CACHED}`,
    extraLabels: ["granularity"],
  },
  lastPeriodFailedCalls: {
    name: "vobiz_number_last_period_failed_calls",
    help: `Failed calls in the newest complete period (snapshots[].failed_calls). ${CACHED}`,
    extraLabels: ["granularity"],
  },
  lastPeriodAnswerRatio: {
    name: "vobiz_number_last_period_answer_ratio",
    help:
      "Answered share of calls in the newest complete period, 0 to 1 (snapshots[]" +
      `.answered_calls / .total_calls, else .answer_rate); absent without calls. ${CACHED}`,
    extraLabels: ["granularity"],
  },
  lastPeriodCallTime: {
    name: "vobiz_number_last_period_call_time_seconds",
    help:
      "Talk time in the newest complete period in seconds " +
      `(snapshots[].total_minutes * 60). ${CACHED}`,
    extraLabels: ["granularity"],
  },
  lastPeriodStart: {
    name: "vobiz_number_last_period_start_timestamp_seconds",
    help: `Start of the newest complete period, Unix seconds (snapshots[].ts). ${CACHED}`,
    extraLabels: ["granularity"],
  },
  lastSuccess: {
    name: "vobiz_number_last_success_timestamp_seconds",
    help: "When Vobiz last gave a valid health answer for the number, Unix seconds.",
  },
  scrapeDuration: {
    name: "vobiz_number_scrape_duration_seconds",
    help: "Time spent reading the number's health in this scrape, in seconds.",
  },
  scrapeErrors: {
    name: "vobiz_number_scrape_errors_total",
    help: "Failed reads of the number's health, by reason.",
    extraLabels: ["reason"],
  },
});

/** Exporter-wide metrics, kept for the life of the process. */
export const EXPORTER_METRICS = define({
  buildInfo: {
    name: "vobiz_exporter_build_info",
    help: "Always 1; labels give the exporter version and the Node.js version.",
    extraLabels: ["version", "nodejs"],
  },
  apiRequests: {
    name: "vobiz_api_requests_total",
    help: "Requests sent to the Vobiz API, by account, endpoint and HTTP status (or failure).",
    extraLabels: ["account", "endpoint", "code"],
  },
  apiRequestDuration: {
    name: "vobiz_api_request_duration_seconds",
    help: "Duration of requests to the Vobiz API in seconds, by endpoint.",
    extraLabels: ["endpoint"],
  },
  numbers: {
    name: "vobiz_numbers",
    help: "Numbers monitored, by account and by source (configured or discovered).",
    extraLabels: ["account", "source"],
  },
  reloadSuccessful: {
    name: "vobiz_config_last_reload_successful",
    help: "1 when the last configuration load succeeded, 0 when it failed.",
  },
  reloadSuccessTimestamp: {
    name: "vobiz_config_last_reload_success_timestamp_seconds",
    help: "When the configuration was last loaded successfully, Unix seconds.",
  },
  discoveryLastSuccess: {
    name: "vobiz_discovery_last_success_timestamp_seconds",
    help: "When the account's number list was last read in full, Unix seconds.",
    extraLabels: ["account"],
  },
  discoveryErrors: {
    name: "vobiz_discovery_errors_total",
    help: "Failed reads of the account's number list, by reason; the last good list is kept.",
    extraLabels: ["account", "reason"],
  },
});

/** Number states Vobiz documents; each gets a series so that a change shows as 1 → 0. */
export const KNOWN_STATUSES = [
  "active",
  "pending_purchase",
  "pending_release",
  "released",
  "blocked",
] as const;

/** Usage statuses Vobiz documents. */
export const KNOWN_USAGE_STATUSES = ["unrated"] as const;
