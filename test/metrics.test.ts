import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Exporter } from "../src/exporter.js";
import {
  demoAccount,
  healthBody,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { demoAccountConfig, testConfig } from "./helpers/config.js";
import {
  FIXED_NOW_MS,
  matchesGolden,
  sampleValue,
  startFixedClockDemo,
  testExporter,
  type FixedClockDemo,
} from "./helpers/exporter.js";

const GOLDEN = new URL("./golden/demo-metrics.prom", import.meta.url);

let simulator: RunningSimulator;
let exporter: Exporter;
let demo: FixedClockDemo;

beforeAll(async () => {
  demo = await startFixedClockDemo();
  ({ simulator, exporter } = demo);
});

afterAll(async () => {
  await demo.close();
});

describe("/metrics exposition for the demo numbers", () => {
  test("matches the golden file at a fixed clock", async () => {
    const { body } = await exporter.scrape({ openMetrics: false });
    await matchesGolden(body, GOLDEN);
  });

  test("reports the simulator's figures for every demo number", async () => {
    const { body } = await exporter.scrape({ openMetrics: false });

    for (const number of demoAccount().numbers) {
      const sim = healthBody(
        number,
        { granularity: "daily", days: 30 },
        new Date(FIXED_NOW_MS),
      );
      const labels = { account: "demo", number: number.e164 };
      expect(sampleValue(body, "vobiz_number_up", labels)).toBe(1);
      expect(sampleValue(body, "vobiz_number_calls", labels)).toBe(
        sim.summary.total_calls,
      );
      expect(sampleValue(body, "vobiz_number_spam", labels)).toBe(sim.is_spam ? 1 : 0);
      expect(
        sampleValue(body, "vobiz_number_status", { ...labels, status: sim.status }),
      ).toBe(1);
      const ratio = sampleValue(body, "vobiz_number_answer_ratio", labels);
      if (sim.summary.total_calls === 0) expect(ratio).toBeUndefined();
      else
        expect(ratio).toBeCloseTo(
          sim.summary.answered_calls / sim.summary.total_calls,
          12,
        );
    }
  });

  test("takes the last period from the newest complete snapshot, not the running one", async () => {
    const { body } = await exporter.scrape({ openMetrics: false });
    const number = demoAccount().numbers[0]!;
    const sim = healthBody(
      number,
      { granularity: "daily", days: 30 },
      new Date(FIXED_NOW_MS),
    );
    const complete = sim.snapshots.at(-2)!;
    const labels = { number: number.e164, granularity: "daily" };

    expect(
      sampleValue(body, "vobiz_number_last_period_start_timestamp_seconds", labels),
    ).toBe(Date.parse(complete.ts) / 1000);
    expect(Date.parse(complete.ts)).toBe(Date.UTC(2026, 5, 3));
    expect(sampleValue(body, "vobiz_number_last_period_calls", labels)).toBe(
      complete.total_calls,
    );
  });

  test("marks only the unknown number down and keeps answering", async () => {
    const config = testConfig(simulator.url, {
      accounts: [
        demoAccountConfig({
          numbers: [
            { number: "+919876543210", labels: {} },
            { number: "+919000000001", labels: { team: "ghost" } },
          ],
        }),
      ],
    });
    const { exporter: local } = testExporter(config);
    const { body } = await local.scrape({ openMetrics: false });
    await local.close();

    expect(sampleValue(body, "vobiz_number_up", { number: "+919876543210" })).toBe(1);
    expect(sampleValue(body, "vobiz_number_up", { number: "+919000000001" })).toBe(0);
    expect(
      sampleValue(body, "vobiz_number_scrape_errors_total", {
        number: "+919000000001",
        reason: "not_found",
      }),
    ).toBe(1);
    expect(body).toMatch(/vobiz_number_up\{[^}]*team="ghost"[^}]*\} 0/);
    expect(
      sampleValue(body, "vobiz_number_calls", { number: "+919000000001" }),
    ).toBeUndefined();
  });

  test("drops a number removed from the configuration from the next scrape", async () => {
    const config = testConfig(simulator.url);
    const { exporter: local } = testExporter(config);
    const removed = config.accounts[0]!.numbers[0]!.number;
    expect(await local.scrape({ openMetrics: false })).toMatchObject({
      body: expect.stringContaining(`number="${removed}"`),
    });

    const account = config.accounts[0]!;
    local.apply({
      ...config,
      accounts: [{ ...account, numbers: account.numbers.slice(1) }],
    });
    const { body } = await local.scrape({ openMetrics: false });
    await local.close();

    expect(body).not.toContain(removed);
    expect(body).toContain(`number="${account.numbers[1]!.number}"`);
  });

  test("serves OpenMetrics with its content type when asked", async () => {
    const open = await exporter.scrape({ openMetrics: true });
    const text = await exporter.scrape({ openMetrics: false });

    expect(open.contentType).toBe(
      "application/openmetrics-text; version=1.0.0; charset=utf-8",
    );
    expect(open.body.endsWith("# EOF\n")).toBe(true);
    expect(text.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(text.body).not.toContain("# EOF");
  });
});

describe("Exporter.close", () => {
  test("can be called twice, as a signal during shutdown would", async () => {
    const { exporter: local } = testExporter(testConfig(simulator.url));
    await local.close();
    await expect(local.close()).resolves.toBeUndefined();
  });
});
