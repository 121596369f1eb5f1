import { Registry } from "prom-client";
import { describe, expect, test } from "vitest";

import { targetLabels } from "../src/collect/target.js";
import { answerRatio, newestCompletePeriod } from "../src/metrics/answer-ratio.js";
import { addNumberMetrics } from "../src/metrics/render.js";
import { parseHealth } from "../src/vobiz/health.js";
import { demoAccountConfig } from "./helpers/config.js";
import { sampleValue } from "./helpers/exporter.js";

describe("answerRatio", () => {
  test.each([
    [
      "counts win over answer_rate",
      { totalCalls: 8, answeredCalls: 5, answerRate: 99 },
      "auto",
      0.625,
    ],
    ["auto reads 62.5 as percent", { answerRate: 62.5 }, "auto", 0.625],
    ["auto reads 0.625 as a ratio", { answerRate: 0.625 }, "auto", 0.625],
    ["percent reads 0.5 as half a percent", { answerRate: 0.5 }, "percent", 0.005],
    ["ratio takes the value as it is", { answerRate: 0.4 }, "ratio", 0.4],
    [
      "no calls gives no ratio",
      { totalCalls: 0, answeredCalls: 0, answerRate: 0 },
      "auto",
      undefined,
    ],
    ["nothing to derive from gives no ratio", { totalCalls: 10 }, "auto", undefined],
  ] as const)("%s", (_name, figures, unit, expected) => {
    expect(answerRatio(figures, unit)).toBe(expected);
  });
});

describe("newestCompletePeriod", () => {
  const day = (d: number) => ({ startMs: Date.UTC(2026, 5, d) });

  test("skips the period still running", () => {
    const now = Date.UTC(2026, 5, 4, 12);
    expect(newestCompletePeriod([day(2), day(3), day(4)], "daily", now)).toEqual(day(3));
  });

  test("takes a period that ended exactly now", () => {
    expect(newestCompletePeriod([day(3)], "daily", Date.UTC(2026, 5, 4))).toEqual(day(3));
  });
});

describe("answer ratio series", () => {
  const render = (body: unknown) => {
    const registry = new Registry();
    const account = demoAccountConfig();
    const target = {
      account,
      number: "+919876543210",
      labels: targetLabels(account, "+919876543210", {}),
      source: "configured" as const,
    };
    const health = parseHealth(body, "http://vobiz.test/health");
    addNumberMetrics(registry, [{ target, health, seconds: 0, errorCounts: new Map() }], {
      answerRateUnit: "auto",
      granularity: "daily",
      nowMs: Date.now(),
    });
    return registry.metrics();
  };

  test("comes from answer_rate 62.5 as 0.625 when counts are missing", async () => {
    const body = await render({ summary: { answer_rate: 62.5 } });
    expect(sampleValue(body, "vobiz_number_answer_ratio", {})).toBe(0.625);
    expect(sampleValue(body, "vobiz_number_calls", {})).toBeUndefined();
  });

  test("is absent for a number with no calls", async () => {
    const body = await render({
      summary: { total_calls: 0, answered_calls: 0, answer_rate: 0 },
    });
    expect(sampleValue(body, "vobiz_number_answer_ratio", {})).toBeUndefined();
    expect(sampleValue(body, "vobiz_number_calls", {})).toBe(0);
  });

  test("leaves out null fields rather than reporting 0", async () => {
    const body = await render({
      is_spam: null,
      status: null,
      summary: { total_calls: null },
    });
    expect(body).not.toMatch(/^vobiz_number_(spam|status|calls)\{/m);
    expect(sampleValue(body, "vobiz_number_up", {})).toBe(1);
  });
});
