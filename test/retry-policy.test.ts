import { describe, expect, test } from "vitest";

import {
  AccountPauses,
  FIRST_PAUSE_MS,
  MAX_PAUSE_MS,
  MAX_RETRY_AFTER_MS,
} from "../src/collect/pause.js";
import { retryDelayMs } from "../src/collect/retry.js";
import { reasonForStatus, VobizError, type FailureReason } from "../src/vobiz/errors.js";

const httpError = (status: number, retryAfterMs?: number) =>
  new VobizError(reasonForStatus(status), `HTTP ${status}`, { status, retryAfterMs });
const failure = (reason: FailureReason) => new VobizError(reason, `failed: ${reason}`);
const top = () => 0.999_999;

describe("retryDelayMs", () => {
  test.each([
    ["429 with Retry-After", httpError(429, 1_000), 1_010],
    ["503 with Retry-After", httpError(503, 2_000), 2_010],
    ["429 without Retry-After (the account pause decides)", httpError(429), undefined],
    ["400", httpError(400), undefined],
    ["401", httpError(401), undefined],
    ["403", httpError(403), undefined],
    ["404", httpError(404), undefined],
    ["parse", failure("parse"), undefined],
    ["too_large", failure("too_large"), undefined],
  ])("%s waits %s ms", (_name, error, expected) => {
    expect(retryDelayMs(error, 0)).toBe(expected);
  });

  test.each([
    ["500", httpError(500)],
    ["502", httpError(502)],
    ["503 without Retry-After", httpError(503)],
    ["504", httpError(504)],
    ["network", failure("network")],
    ["a connection timeout", failure("timeout")],
  ])("%s backs off exponentially, jittered, up to 2 s", (_name, error) => {
    const bounds = [0, 1, 2, 3, 4, 5, 6].map((retry) =>
      Math.round(retryDelayMs(error, retry, undefined, top) ?? -1),
    );
    expect(bounds).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect(retryDelayMs(error, 3, undefined, () => 0)).toBe(0);
  });
});

describe("AccountPauses", () => {
  test("pauses until Retry-After has passed and logs only the first 429", () => {
    const pauses = new AccountPauses();

    expect(pauses.pause("a", 30_000, 1_000)).toEqual({ untilMs: 31_000, started: true });
    expect(pauses.pause("a", 10_000, 2_000)).toEqual({ untilMs: 31_000, started: false });
    expect(pauses.pausedUntil("a", 30_999)).toBe(31_000);
    expect(pauses.pausedUntil("a", 31_000)).toBeUndefined();
    expect(pauses.pausedUntil("b", 2_000)).toBeUndefined();
  });

  test("a Retry-After years ahead pauses the account for an hour", () => {
    const pauses = new AccountPauses();
    const years = 30 * 365 * 24 * 3_600_000;

    expect(pauses.pause("a", years, 1_000).untilMs).toBe(1_000 + MAX_RETRY_AFTER_MS);
    expect(MAX_RETRY_AFTER_MS).toBe(3_600_000);
    expect(pauses.pausedUntil("a", 1_000 + MAX_RETRY_AFTER_MS)).toBeUndefined();
  });

  test("without Retry-After, backs off from 30 s, doubling to 5 min, until a success", () => {
    const pauses = new AccountPauses();
    const lengths: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i += 1) {
      const { untilMs } = pauses.pause("a", undefined, now);
      // A 429 to a request sent before the pause began does not lengthen it.
      pauses.pause("a", undefined, now + 1);
      lengths.push(untilMs - now);
      now = untilMs;
    }
    pauses.succeeded("a", now);

    expect(lengths).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
    expect(lengths[0]).toBe(FIRST_PAUSE_MS);
    expect(lengths.at(-1)).toBe(MAX_PAUSE_MS);
    expect(pauses.pause("a", undefined, now).untilMs - now).toBe(FIRST_PAUSE_MS);
  });

  test("forgets accounts no longer monitored", () => {
    const pauses = new AccountPauses();
    pauses.pause("a", 1_000, 0);
    pauses.pause("b", 1_000, 0);
    pauses.retainOnly(["b"]);
    expect(pauses.size).toBe(1);
    expect(pauses.pausedUntil("a", 10)).toBeUndefined();
  });
});
