import { describe, expect, test } from "vitest";

import { VobizError } from "../src/vobiz/errors.js";
import { parseHealth } from "../src/vobiz/health.js";

const URL = "http://vobiz.test/health";

function day(d: number, calls = d) {
  const ts = `2026-06-${String(d).padStart(2, "0")}T00:00:00Z`;
  return { ts, total_calls: calls, answered_calls: 0 };
}

function starts(body: unknown, keep?: number): number[] {
  return parseHealth(body, URL, keep).snapshots.map((s) =>
    new Date(s.startMs).getUTCDate(),
  );
}

describe("parseHealth snapshots", () => {
  test("keeps every period by default, oldest first", () => {
    expect(starts({ snapshots: [day(1), day(2), day(3)] })).toEqual([1, 2, 3]);
  });

  test("keeps only the newest periods when asked", () => {
    const body = { snapshots: [day(1), day(2), day(3), day(4)] };
    expect(starts(body, 2)).toEqual([3, 4]);
    expect(parseHealth(body, URL, 2).snapshots[1]).toEqual({
      startMs: Date.UTC(2026, 5, 4),
      totalCalls: 4,
      answeredCalls: 0,
      failedCalls: undefined,
      answerRate: undefined,
      totalDuration: undefined,
      avgDuration: undefined,
      totalMinutes: undefined,
    });
  });

  test("keeps the newest by time when Vobiz sends them out of order", () => {
    const body = { snapshots: [day(3), day(1), day(4), day(2)] };
    expect(starts(body, 2)).toEqual([3, 4]);
    expect(starts(body)).toEqual([1, 2, 3, 4]);
  });

  test("leaves out a period without a start, and does not count it as kept", () => {
    const body = { snapshots: [day(1), day(2), { total_calls: 5 }, { ts: null }] };
    expect(starts(body, 2)).toEqual([1, 2]);
  });

  test("still checks the periods it does not keep", () => {
    const body = { snapshots: [{ ...day(1), total_calls: "many" }, day(2), day(3)] };
    const parse = () => parseHealth(body, URL, 2);
    expect(parse).toThrow(VobizError);
    expect(parse).toThrow(/snapshots\.0\.total_calls/);
  });
});
