import { describe, expect, test } from "vitest";

import { backfillLines, type NumberHistory } from "../src/backfill/openmetrics.js";

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2026, 5, 1);
const NOW = T0 + 3 * HOUR_MS + 1_000; // three hours ended, a fourth running

/** The end of hour `hour` after T0, in Unix seconds. */
const end = (hour: number) => (T0 + (hour + 1) * HOUR_MS) / 1000;
const valueOf = (line: string) => line.split(" ").at(-2);

const period = (hour: number, calls: number, answered: number) => ({
  startMs: T0 + hour * HOUR_MS,
  totalCalls: calls,
  answeredCalls: answered,
  failedCalls: calls - answered,
  totalMinutes: answered * 1.5,
});

const histories: NumberHistory[] = [
  {
    labels: { account: "a", number: "+911", team: 'a\\b"c' },
    snapshots: [period(3, 9, 9), period(1, 4, 2), period(0, 2, 1)],
  },
  {
    labels: { account: "a", number: "+912" },
    snapshots: [period(2, 0, 0), period(0, 5, 5)],
  },
];

const lines = [
  ...backfillLines(histories, {
    granularity: "hourly",
    answerRateUnit: "auto",
    nowMs: NOW,
  }),
];
const samples = (name: string) => lines.filter((l) => l.startsWith(`${name}{`));

const A =
  'vobiz_number_last_period_calls{account="a",number="+911",team="a\\\\b\\"c",granularity="hourly"}';
const B =
  'vobiz_number_last_period_calls{account="a",number="+912",granularity="hourly"}';

describe("backfillLines", () => {
  test("stamps each complete period at its end, in time order across numbers", () => {
    expect(samples("vobiz_number_last_period_calls")).toEqual([
      `${A} 2 ${end(0)}\n`,
      `${B} 5 ${end(0)}\n`,
      `${A} 4 ${end(1)}\n`,
      `${B} 0 ${end(2)}\n`,
    ]);
  });

  test("leaves out the answer ratio of a period without calls", () => {
    const ratios = samples("vobiz_number_last_period_answer_ratio").map(valueOf);
    expect(ratios).toEqual(["0.5", "1", "0.5"]);
  });

  test("values talk time in seconds and the period start in Unix seconds", () => {
    expect(valueOf(samples("vobiz_number_last_period_call_time_seconds")[0] ?? "")).toBe(
      "90",
    );
    const starts = samples("vobiz_number_last_period_start_timestamp_seconds");
    expect(starts[0]).toMatch(new RegExp(` ${T0 / 1000} ${end(0)}\n$`));
  });

  test("declares every family as a gauge and ends with # EOF", () => {
    const types = lines.filter((l) => l.startsWith("# TYPE"));
    expect(types).toHaveLength(6);
    expect(types.every((l) => l.endsWith(" gauge\n"))).toBe(true);
    expect(lines.at(-1)).toBe("# EOF\n");
  });
});
