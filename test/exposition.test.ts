import { readFile, writeFile } from "node:fs/promises";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Exporter } from "../src/exporter.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { FIXED_NOW_MS, testExporter } from "./helpers/exporter.js";

const OPENMETRICS_GOLDEN = new URL("./golden/demo-metrics.om", import.meta.url);

let simulator: RunningSimulator;
let exporter: Exporter;

beforeAll(async () => {
  simulator = await startSimulator({ now: () => new Date(FIXED_NOW_MS) });
  exporter = testExporter(testConfig(simulator.url), {
    now: () => FIXED_NOW_MS,
  }).exporter;
});

afterAll(async () => {
  await exporter.close();
  await simulator.close();
});

/** Fixes what varies between runs (timings, the Node.js version), as for the text golden file. */
function normalise(exposition: string): string {
  const timing =
    /^((vobiz_number_scrape|vobiz_api_request)_duration_seconds\S*\{.*\}) .*$/gm;
  return exposition
    .replace(timing, (line, series: string) =>
      line.includes("_count{") ? line : `${series} 0`,
    )
    .replace(/nodejs="v[^"]+"/g, 'nodejs="v0.0.0"');
}

describe("OpenMetrics exposition for the demo numbers", () => {
  test("matches the golden file at a fixed clock", async () => {
    const { body } = await exporter.scrape({ openMetrics: true });
    const actual = normalise(body);

    if (process.env.UPDATE_GOLDEN === "1") await writeFile(OPENMETRICS_GOLDEN, actual);
    expect(actual).toBe(await readFile(OPENMETRICS_GOLDEN, "utf8"));
  });
});
