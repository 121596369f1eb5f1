import { pino, type Logger } from "pino";

export type { Logger };

/** Log levels the `--log.level` flag accepts. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines on standard output (or `destination`): a constant lower-case message
 * with snake_case fields, the error under `err`. Secrets are `Secret` objects, which
 * print as `<secret>`, so no redaction list has to be kept in step with the config.
 */
export function createLogger(
  level: LogLevel,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "vobiz-exporter" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
