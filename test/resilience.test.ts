import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import { Collector, type CollectorOptions } from "../src/collect/collector.js";
import { deadlineIn } from "../src/collect/deadline.js";
import { FIRST_PAUSE_MS } from "../src/collect/pause.js";
import { configuredTargets } from "../src/collect/target.js";
import type { AccountConfig } from "../src/config/types.js";
import {
  demoAccount,
  generatedAccount,
  startSimulator,
  type Fault,
  type RunningSimulator,
  type SimAccount,
} from "../src/simulator/index.js";
import { VobizClient } from "../src/vobiz/client.js";
import type { FailureReason } from "../src/vobiz/errors.js";
import { demoAccountConfig, testConfig } from "./helpers/config.js";
import { captureLogger } from "./helpers/logger.js";
import {
  accountConfigOf,
  healthRequestsFor,
  healthRequestsOf,
} from "./helpers/sim-accounts.js";

const MATRIX = generatedAccount(18, "MA_MATRIX00");
const single = (authId: string, e164: string): SimAccount => ({
  authId,
  authToken: `token-${authId}`,
  numbers: [{ e164 }],
});
const RATE_LIMITED = single("SA_RATE0001", "+919100000001");
const RATE_LIMITED_NO_RETRY_AFTER = single("SA_RATE0002", "+919100000002");
const RATE_LIMITED_ONCE = single("SA_RATE0003", "+919100000003");
const PAUSED: SimAccount = {
  authId: "MA_PAUSE000",
  authToken: "token-MA_PAUSE000",
  numbers: [
    { e164: "+919200000001" },
    { e164: "+919200000002" },
    { e164: "+919200000003" },
  ],
};
const HEALTHY = "+919876543210";
const UNKNOWN = "+919000000001";

let simulator: RunningSimulator;
let client: VobizClient;
const faulted = new Set<string>();

beforeAll(async () => {
  simulator = await startSimulator({
    accounts: [
      demoAccount(),
      MATRIX,
      RATE_LIMITED,
      RATE_LIMITED_NO_RETRY_AFTER,
      RATE_LIMITED_ONCE,
      PAUSED,
    ],
  });
  client = new VobizClient({ baseUrl: simulator.url, maxResponseBytes: 1024 * 1024 });
});

afterEach(() => {
  for (const number of faulted) simulator.setFault(number, undefined);
  faulted.clear();
  simulator.resetRequests();
});

afterAll(async () => {
  await client.close();
  await simulator.close();
});

function setFault(number: string, fault: Fault): void {
  simulator.setFault(number, fault);
  faulted.add(number);
}

function collectorFor(
  accounts: readonly AccountConfig[],
  options: Partial<CollectorOptions> = {},
) {
  const { logger, lines } = captureLogger();
  const config = testConfig(simulator.url, { accounts });
  const collector = new Collector({
    client,
    health: config.health,
    maxConcurrency: config.api.maxConcurrency,
    retries: config.api.retries,
    logger,
    ...options,
  });
  return { collector, targets: configuredTargets(config), logLines: lines };
}

const matrixNumber = (index: number) => MATRIX.numbers[index]!.e164;

// fault, its parameters, the reason it ends in, and the requests it takes (2 retries)
const MATRIX_FAULTS: readonly [Fault, FailureReason, number][] = [
  [{ name: "stall" }, "timeout", 1],
  [{ name: "slow_body", latencyMs: 20_000 }, "timeout", 1],
  [{ name: "http_500" }, "http_5xx", 3],
  [{ name: "http_502" }, "http_5xx", 3],
  [{ name: "http_503" }, "http_5xx", 3],
  [{ name: "http_504" }, "http_5xx", 3],
  [{ name: "html_error" }, "http_5xx", 3],
  [{ name: "truncated_json" }, "parse", 1],
  [{ name: "malformed_json" }, "parse", 1],
  [{ name: "wrong_type" }, "parse", 1],
  [{ name: "oversized", bytes: 2 * 1024 * 1024 }, "too_large", 1],
  [{ name: "reset" }, "network", 3],
  [{ name: "unauthorized" }, "auth", 1],
  [{ name: "forbidden" }, "auth", 1],
];
const MATRIX_HEALTHY = MATRIX.numbers.slice(MATRIX_FAULTS.length).map((n) => n.e164);

describe("a scrape against a hostile upstream", () => {
  const DEADLINE_MS = 3_000;

  test("ends by its deadline with every number's own result", async () => {
    MATRIX_FAULTS.forEach(([fault], i) => setFault(matrixNumber(i), fault));
    setFault("+919100000001", { name: "rate_limited", retryAfterSeconds: 30 });
    setFault("+919100000002", { name: "rate_limited_no_retry_after" });
    setFault("+919100000003", { name: "rate_limited_once" });
    const matrix = accountConfigOf(MATRIX, "matrix");
    const { collector, targets } = collectorFor([
      { ...matrix, numbers: [...matrix.numbers, { number: UNKNOWN, labels: {} }] },
      accountConfigOf(RATE_LIMITED, "rate"),
      accountConfigOf(RATE_LIMITED_NO_RETRY_AFTER, "rate_no_retry_after"),
      accountConfigOf(RATE_LIMITED_ONCE, "rate_once"),
    ]);

    const started = performance.now();
    const outcomes = await collector.collect(targets, deadlineIn(DEADLINE_MS));
    const elapsedMs = performance.now() - started;

    const byNumber = new Map(outcomes.map((o) => [o.target.number, o]));
    const reasonOf = (number: string) => byNumber.get(number)?.error?.reason;
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + 300);
    for (const number of MATRIX_HEALTHY) {
      expect(byNumber.get(number)?.health?.summary.totalCalls).toBeGreaterThan(0);
      expect(healthRequestsFor(simulator, number)).toBe(1);
    }
    MATRIX_FAULTS.forEach(([fault, reason, requests], i) => {
      const outcome = byNumber.get(matrixNumber(i));
      expect({ fault: fault.name, reason: outcome?.error?.reason }).toEqual({
        fault: fault.name,
        reason,
      });
      expect(outcome?.health).toBeUndefined();
      expect(outcome?.errorCounts.get(reason)).toBe(1);
      expect({
        fault: fault.name,
        requests: healthRequestsFor(simulator, matrixNumber(i)),
      }).toEqual({ fault: fault.name, requests });
    });
    expect(reasonOf(UNKNOWN)).toBe("not_found");
    expect(healthRequestsFor(simulator, UNKNOWN)).toBe(1);
    expect(reasonOf("+919100000001")).toBe("rate_limited");
    expect(reasonOf("+919100000002")).toBe("rate_limited");
    expect(healthRequestsFor(simulator, "+919100000001")).toBe(1);
    expect(healthRequestsFor(simulator, "+919100000002")).toBe(1);
    expect(byNumber.get("+919100000003")?.health).toBeDefined();
    expect(byNumber.get("+919100000003")?.errorCounts.size).toBe(0);
    expect(healthRequestsFor(simulator, "+919100000003")).toBe(2);
  });
});

describe("retries", () => {
  const demo = (extra: string[] = []) =>
    demoAccountConfig({
      numbers: [HEALTHY, ...extra].map((number) => ({ number, labels: {} })),
    });

  test.each([
    [0, 1],
    [1, 2],
    [2, 3],
  ])("a 500 is retried %i times, then reported http_5xx", async (retries, requests) => {
    setFault(HEALTHY, { name: "http_500" });
    const { collector, targets } = collectorFor([demo()], { retries });

    const [outcome] = await collector.collect(targets, deadlineIn(5_000));

    expect(outcome?.error?.reason).toBe("http_5xx");
    expect(outcome?.errorCounts.get("http_5xx")).toBe(1);
    expect(healthRequestsFor(simulator, HEALTHY)).toBe(requests);
  });

  test("a 404 is never retried", async () => {
    const { collector, targets } = collectorFor([demo([UNKNOWN])], { retries: 5 });

    const outcomes = await collector.collect(targets, deadlineIn(5_000));

    expect(outcomes[1]?.error?.reason).toBe("not_found");
    expect(healthRequestsFor(simulator, UNKNOWN)).toBe(1);
    expect(outcomes[0]?.health).toBeDefined();
  });

  test("a 503 whose Retry-After passes after the deadline is not waited for", async () => {
    setFault(HEALTHY, { name: "http_503" });
    const { collector, targets } = collectorFor([demo()]);

    const started = performance.now();
    const [outcome] = await collector.collect(targets, deadlineIn(500));

    expect(performance.now() - started).toBeLessThan(400);
    expect(outcome?.error?.reason).toBe("http_5xx");
    expect(healthRequestsFor(simulator, HEALTHY)).toBe(1);
  });

  test("never sleeps past the deadline for a backoff", async () => {
    setFault(HEALTHY, { name: "http_500" });
    const backoff = { baseMs: 2_000, factor: 2, capMs: 2_000 };
    const { collector, targets } = collectorFor([demo()], { retries: 5, backoff });

    // Full jitter draws each wait from [0, 2 s): most do not fit a 150 ms deadline.
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      const [outcome] = await collector.collect(targets, deadlineIn(150));
      expect(performance.now() - started).toBeLessThan(300);
      expect(outcome?.error?.reason).toBe("http_5xx");
    }
  });

  test("a wait before a retry ends as soon as no scrape waits for the read", async () => {
    // 503 with Retry-After: 1: the retry would be sent a second later.
    setFault(HEALTHY, { name: "http_503" });
    const { collector, targets } = collectorFor([demo()], { retries: 1 });
    const client = new AbortController();

    const collected = collector.collect(
      targets,
      deadlineIn(10_000, Date.now(), client.signal),
      { abandoned: client.signal },
    );
    await expect.poll(() => healthRequestsFor(simulator, HEALTHY)).toBe(1);
    client.abort();
    await collected;

    await expect.poll(() => collector.states.cache.inFlight, { timeout: 500 }).toBe(0);
    await sleep(1_200);
    expect(healthRequestsFor(simulator, HEALTHY)).toBe(1);
  });
});

describe("rate-limit pause", () => {
  const paused = accountConfigOf(PAUSED, "paused");
  const LIMITED = "+919200000001";

  test.each([
    { fault: { name: "rate_limited", retryAfterSeconds: 30 } as Fault, pauseMs: 30_000 },
    { fault: { name: "rate_limited_no_retry_after" } as Fault, pauseMs: FIRST_PAUSE_MS },
  ])(
    "after $fault.name the account sends nothing until the pause ends",
    async ({ fault, pauseMs }) => {
      setFault(LIMITED, fault);
      const { collector, targets, logLines } = collectorFor([
        paused,
        demoAccountConfig(),
      ]);

      const first = await collector.collect(targets, deadlineIn(5_000));
      const afterFirst = healthRequestsOf(simulator, PAUSED.authId);
      const later = [
        await collector.collect(targets, deadlineIn(5_000)),
        await collector.collect(targets, deadlineIn(5_000)),
      ];

      expect(first[0]?.error?.reason).toBe("rate_limited");
      expect(afterFirst).toBe(3);
      expect(healthRequestsOf(simulator, PAUSED.authId)).toBe(afterFirst);
      for (const outcomes of later) {
        const mine = outcomes.filter((o) => o.target.account.name === "paused");
        expect(mine.map((o) => o.error?.reason)).toEqual(Array(3).fill("rate_limited"));
        const others = outcomes.filter((o) => o.target.account.name === "demo");
        expect(others.every((o) => o.health !== undefined)).toBe(true);
      }
      expect(later[1]?.[1]?.errorCounts.get("rate_limited")).toBe(2);

      const warnings = logLines
        .map((l) => JSON.parse(l))
        .filter((l) => l.level === "warn");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ account: "paused", number: LIMITED });
      expect(warnings[0]?.api_id).toMatch(/^[0-9a-f-]{36}$/);
      const untilMs = Date.parse(warnings[0]?.until as string);
      expect(untilMs).toBeGreaterThan(Date.now() + pauseMs - 5_000);
      expect(untilMs).toBeLessThanOrEqual(Date.now() + pauseMs);
    },
  );

  test("a paused account's fresh answers are still served from the cache", async () => {
    setFault(LIMITED, { name: "rate_limited", retryAfterSeconds: 30 });
    const { collector, targets } = collectorFor([paused], { cacheTtlMs: 60_000 });

    const first = await collector.collect(targets, deadlineIn(5_000));
    const second = await collector.collect(targets, deadlineIn(5_000));

    expect(healthRequestsOf(simulator, PAUSED.authId)).toBe(3);
    expect(second.map((o) => o.error?.reason)).toEqual([
      "rate_limited",
      undefined,
      undefined,
    ]);
    expect(second[1]?.health).toEqual(first[1]?.health);
    expect(second[1]?.lastSuccessMs).toBe(first[1]?.lastSuccessMs);
  });
});
