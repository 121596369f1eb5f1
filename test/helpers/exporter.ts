import type { ExporterConfig } from "../../src/config/types.js";
import { Exporter } from "../../src/exporter.js";
import { captureLogger } from "./logger.js";

/** A fixed clock: 2026-06-04 12:34:56 UTC, in the middle of a day and an hour. */
export const FIXED_NOW_MS = Date.UTC(2026, 5, 4, 12, 34, 56);

/** An in-process exporter with logs captured, for tests. */
export function testExporter(
  config: ExporterConfig,
  options: { now?: () => number; processMetrics?: boolean } = {},
) {
  const { logger, lines } = captureLogger();
  const exporter = new Exporter({
    config,
    logger,
    version: "0.0.0-test",
    processMetrics: options.processMetrics ?? false,
    now: options.now,
  });
  return { exporter, logLines: lines };
}

/** The value of one series in a text exposition, or undefined when absent. */
export function sampleValue(
  exposition: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([k, v]) =>
      line.includes(`${k}="${v}"`),
    );
    if (matches) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}
