import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

import { describe, expect, test } from "vitest";

import { startSimulator } from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { testExporter } from "./helpers/exporter.js";
import { findTool } from "./helpers/tools.js";

const promtool = findTool("promtool");

/** promtool's verdict on an exposition: its exit code and everything it printed. */
function checkMetrics(exposition: string) {
  const run = spawnSync(promtool!, ["check", "metrics"], { input: exposition });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe.skipIf(promtool === undefined)("promtool check metrics", () => {
  test("passes the golden demo exposition with no warnings", () => {
    const golden = readFileSync(
      new URL("./golden/demo-metrics.prom", import.meta.url),
      "utf8",
    );
    expect(checkMetrics(golden)).toEqual({ status: 0, output: "" });
  });

  test("passes a live exposition with process metrics and a failing number", async () => {
    const simulator = await startSimulator();
    const config = testConfig(simulator.url);
    const { exporter } = testExporter(config, { processMetrics: true });
    simulator.setFault(config.accounts[0]!.numbers[0]!.number, { name: "http_500" });

    try {
      const { body } = await exporter.scrape({ openMetrics: false });
      expect(body).toContain("process_cpu_user_seconds_total");
      expect(checkMetrics(body)).toEqual({ status: 0, output: "" });
    } finally {
      await exporter.close();
      await simulator.close();
    }
  });

  test("rejects a gauge named like a counter, so the check is live", () => {
    const bad = "# HELP x_total A gauge.\n# TYPE x_total gauge\nx_total 1\n";
    expect(checkMetrics(bad).output).toContain('should not have "_total" suffix');
  });
});
