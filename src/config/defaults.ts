/**
 * Every default of `exporter.yml`, written as it would be in the file. This is the one
 * place they live: the schema applies them and the shipped example mirrors them.
 */
export const DEFAULTS = {
  listen_address: ":9817",
  api: {
    base_url: "https://api.vobiz.ai",
    timeout: "10s",
    max_concurrency: 16,
    retries: 2,
    max_response_bytes: "8MiB",
  },
  health: {
    granularity: "daily",
    days: 30,
    answer_rate_unit: "auto",
  },
  cache: {
    ttl: "60s",
  },
  account: {
    labels: {},
    numbers: [],
  },
  discover: {
    enabled: false,
    refresh_interval: "10m",
    statuses: ["active"],
  },
} as const;
