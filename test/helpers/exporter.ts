import { readFile, writeFile } from "node:fs/promises";

import { expect } from "vitest";

import type { ExporterConfig } from "../../src/config/types.js";
import { Exporter } from "../../src/exporter.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/index.js";
import { testConfig } from "./config.js";
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

/**
 * Replaces what varies between runs (timings, the Node.js version) with fixed values
 * that keep an exposition valid for promtool, so it can be compared with a golden file.
 */
export function normaliseExposition(exposition: string): string {
  const timing =
    /^((vobiz_number_scrape|vobiz_api_request)_duration_seconds\S*\{.*\}) .*$/gm;
  return exposition
    .replace(timing, (line, series: string) =>
      line.includes("_count{") ? line : `${series} 0`,
    )
    .replace(/nodejs="v[^"]+"/g, 'nodejs="v0.0.0"');
}

/**
 * Compares a normalised exposition with its golden file; `UPDATE_GOLDEN=1` rewrites
 * the file first, after an intended change.
 */
export async function matchesGolden(exposition: string, golden: URL): Promise<void> {
  const actual = normaliseExposition(exposition);
  if (process.env.UPDATE_GOLDEN === "1") await writeFile(golden, actual);
  expect(actual).toBe(await readFile(golden, "utf8"));
}

/** The simulator and an exporter of its demo numbers, both at {@link FIXED_NOW_MS}. */
export interface FixedClockDemo {
  readonly simulator: RunningSimulator;
  readonly exporter: Exporter;
  close(): Promise<void>;
}

/** Starts a {@link FixedClockDemo}, for golden files and exact figures. */
export async function startFixedClockDemo(): Promise<FixedClockDemo> {
  const simulator = await startSimulator({ now: () => new Date(FIXED_NOW_MS) });
  const { exporter } = testExporter(testConfig(simulator.url), {
    now: () => FIXED_NOW_MS,
  });
  return {
    simulator,
    exporter,
    close: async () => {
      await exporter.close();
      await simulator.close();
    },
  };
}
