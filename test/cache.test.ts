import { setTimeout as sleep } from "node:timers/promises";

import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import { Collector } from "../src/collect/collector.js";
import { deadlineIn } from "../src/collect/deadline.js";
import { configuredTargets } from "../src/collect/target.js";
import type { ExporterConfig } from "../src/config/types.js";
import { newestCompletePeriod } from "../src/metrics/answer-ratio.js";
import {
  demoAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { Secret } from "../src/secret.js";
import { VobizClient } from "../src/vobiz/client.js";
import { demoAccountConfig, testConfig } from "./helpers/config.js";
import { sampleValue, testExporter } from "./helpers/exporter.js";
import { captureLogger } from "./helpers/logger.js";
import { healthRequestsFor } from "./helpers/sim-accounts.js";

const NUMBERS = demoAccount().numbers.map((n) => n.e164);
const FIRST = NUMBERS[0]!;

let simulator: RunningSimulator;
let client: VobizClient;

beforeAll(async () => {
  simulator = await startSimulator();
  client = new VobizClient({ baseUrl: simulator.url, maxResponseBytes: 1024 * 1024 });
});

afterEach(() => {
  simulator.setFault("*", undefined);
  for (const number of NUMBERS) simulator.setFault(number, undefined);
  simulator.resetRequests();
});

afterAll(async () => {
  await client.close();
  await simulator.close();
});

function collectorWith(cacheTtlMs: number, retries = 0, reading = client) {
  const config = testConfig(simulator.url);
  const collector = new Collector({
    client: reading,
    health: config.health,
    maxConcurrency: 16,
    retries,
    cacheTtlMs,
    logger: captureLogger().logger,
  });
  return { collector, targets: configuredTargets(config) };
}

const perNumber = () => NUMBERS.map((n) => healthRequestsFor(simulator, n));

describe("single flight", () => {
  test.each([
    { ttl: "60 s", ttlMs: 60_000, secondRound: 0 },
    { ttl: "0", ttlMs: 0, secondRound: 1 },
  ])(
    "10 concurrent scrapes send one request per number (cache ttl $ttl)",
    async ({ ttlMs, secondRound }) => {
      simulator.setFault("*", { name: "latency", latencyMs: 200 });
      const { collector, targets } = collectorWith(ttlMs);
      const round = () =>
        Promise.all(
          Array.from({ length: 10 }, () => collector.collect(targets, deadlineIn(5_000))),
        );

      const first = await round();
      expect(perNumber()).toEqual(NUMBERS.map(() => 1));
      expect(first.flat().every((o) => o.health !== undefined)).toBe(true);

      simulator.resetRequests();
      const second = await round();
      expect(perNumber()).toEqual(NUMBERS.map(() => secondRound));
      expect(second.flat().every((o) => o.health !== undefined)).toBe(true);
      expect(collector.states.cache.inFlight).toBe(0);
    },
  );

  test("a failure is shared while in flight, then forgotten", async () => {
    simulator.setFault(FIRST, { name: "http_500" });
    const { collector, targets } = collectorWith(60_000);

    const failed = await Promise.all(
      Array.from({ length: 10 }, () => collector.collect(targets, deadlineIn(5_000))),
    );
    expect(failed.map((outcomes) => outcomes[0]?.error?.reason)).toEqual(
      Array(10).fill("http_5xx"),
    );
    expect(healthRequestsFor(simulator, FIRST)).toBe(1);

    simulator.setFault(FIRST, undefined);
    const [outcome] = await collector.collect(targets, deadlineIn(5_000));
    expect(outcome?.health).toBeDefined();
    expect(healthRequestsFor(simulator, FIRST)).toBe(2);
  });

  test("a scrape that gives up early leaves the read to one with more time", async () => {
    simulator.setFault(FIRST, { name: "latency", latencyMs: 400 });
    const { collector, targets } = collectorWith(60_000);
    const mine = targets.slice(0, 1);

    const started = Date.now();
    const hasty = collector.collect(mine, deadlineIn(150)).then((outcomes) => ({
      outcomes,
      ms: Date.now() - started,
    }));
    const patient = collector.collect(mine, deadlineIn(2_000));
    const [early, late] = await Promise.all([hasty, patient]);

    expect(early.outcomes[0]?.error?.reason).toBe("timeout");
    expect(early.ms).toBeLessThan(300);
    expect(late[0]?.health).toBeDefined();
    expect(healthRequestsFor(simulator, FIRST)).toBe(1);
  });

  test("a read that no scrape waits for any more is called off", async () => {
    simulator.setFault(FIRST, { name: "latency", latencyMs: 3_000 });
    const ended: { code: string; atMs: number }[] = [];
    const observing = new VobizClient({
      baseUrl: simulator.url,
      maxResponseBytes: 1024 * 1024,
      observe: ({ code }) => ended.push({ code, atMs: Date.now() }),
    });
    const { collector, targets } = collectorWith(0, 0, observing);

    try {
      const started = Date.now();
      const [outcome] = await collector.collect(targets.slice(0, 1), deadlineIn(150));

      expect(outcome?.error?.reason).toBe("timeout");
      // The request ends with its last waiter, not when Vobiz would have answered.
      await expect.poll(() => ended, { timeout: 1_000 }).toHaveLength(1);
      expect(ended[0]?.code).toBe("timeout");
      expect(ended[0]!.atMs - started).toBeLessThan(1_000);
      expect(collector.states.cache.inFlight).toBe(0);
    } finally {
      await observing.close();
    }
  });
});

describe("health cache", () => {
  test("reuses an answer for the TTL, dated when Vobiz gave it", async () => {
    const { collector, targets } = collectorWith(60_000);

    const first = await collector.collect(targets, deadlineIn(5_000));
    await sleep(30);
    const second = await collector.collect(targets, deadlineIn(5_000));

    expect(perNumber()).toEqual(NUMBERS.map(() => 1));
    second.forEach((outcome, i) => {
      expect(outcome.health).toEqual(first[i]?.health);
      expect(outcome.lastSuccessMs).toBe(first[i]?.lastSuccessMs);
    });
  });

  test("reads again once the TTL has passed, and forgets what expired", async () => {
    const { collector, targets } = collectorWith(100);

    const first = await collector.collect(targets, deadlineIn(5_000));
    expect(collector.states.cache.size).toBe(NUMBERS.length);
    await sleep(150);
    await collector.collect([], deadlineIn(5_000));
    expect(collector.states.cache.size).toBe(0);
    const second = await collector.collect(targets, deadlineIn(5_000));

    expect(perNumber()).toEqual(NUMBERS.map(() => 2));
    expect(second[0]?.lastSuccessMs).toBeGreaterThan(first[0]?.lastSuccessMs ?? 0);
  });

  test("keeps the last two snapshots of an answer, enough for the newest complete period", async () => {
    const { collector, targets } = collectorWith(60_000);
    const config = testConfig(simulator.url);
    const query = { granularity: config.health.granularity, days: config.health.days };

    const outcomes = await collector.collect(targets, deadlineIn(5_000));
    for (const [i, outcome] of outcomes.entries()) {
      const target = targets[i]!;
      const full = await client.getHealth(
        target.account,
        target.number,
        query,
        AbortSignal.timeout(5_000),
      );
      const all = full.health.snapshots;
      expect(all.length).toBeGreaterThan(2);
      const kept = outcome.health;
      expect(kept?.snapshots).toEqual(all.slice(-2));
      expect({ ...kept, snapshots: [] }).toEqual({ ...full.health, snapshots: [] });
      for (const nowMs of [Date.now(), Date.now() + 60_000]) {
        const g = config.health.granularity;
        expect(newestCompletePeriod(kept?.snapshots ?? [], g, nowMs)).toEqual(
          newestCompletePeriod(all, g, nowMs),
        );
      }
    }
  });

  test("keeps nothing with a TTL of 0", async () => {
    const { collector, targets } = collectorWith(0);
    await collector.collect(targets, deadlineIn(5_000));
    expect(collector.states.cache.size).toBe(0);
  });
});

describe("Exporter cache across reloads", () => {
  const config = (numbers: readonly string[]): ExporterConfig =>
    testConfig(simulator.url, {
      cache: { ttlMs: 60_000 },
      accounts: [
        demoAccountConfig({ numbers: numbers.map((number) => ({ number, labels: {} })) }),
      ],
    });
  const scrape = { openMetrics: false } as const;

  test("concurrent scrapes share reads, and a reload keeps the answers of kept numbers only", async () => {
    simulator.setFault("*", { name: "latency", latencyMs: 100 });
    const { exporter } = testExporter(config(NUMBERS));

    try {
      const [a, b] = await Promise.all([
        exporter.scrape(scrape),
        exporter.scrape(scrape),
      ]);
      expect(perNumber()).toEqual(NUMBERS.map(() => 1));
      const labels = { account: "demo", number: FIRST };
      const lastSuccess = sampleValue(
        a.body,
        "vobiz_number_last_success_timestamp_seconds",
        labels,
      );
      expect(sampleValue(b.body, "vobiz_number_up", labels)).toBe(1);

      exporter.apply(config(NUMBERS));
      const afterReload = await exporter.scrape(scrape);
      expect(perNumber()).toEqual(NUMBERS.map(() => 1));
      expect(
        sampleValue(
          afterReload.body,
          "vobiz_number_last_success_timestamp_seconds",
          labels,
        ),
      ).toBe(lastSuccess);

      exporter.apply(config(NUMBERS.slice(1)));
      exporter.apply(config(NUMBERS));
      await exporter.scrape(scrape);
      expect(perNumber()).toEqual(NUMBERS.map((n) => (n === FIRST ? 2 : 1)));
    } finally {
      await exporter.close();
    }
  });

  test("a reload with another token reads again instead of serving cached answers", async () => {
    const { exporter } = testExporter(config(NUMBERS));
    const wrongToken = (numbers: readonly string[]): ExporterConfig => ({
      ...config(numbers),
      accounts: [{ ...config(numbers).accounts[0]!, authToken: new Secret("rotated") }],
    });

    try {
      await exporter.scrape(scrape);
      exporter.apply(wrongToken(NUMBERS));
      const { body } = await exporter.scrape(scrape);

      expect(perNumber()).toEqual(NUMBERS.map(() => 2));
      expect(sampleValue(body, "vobiz_number_up", { number: FIRST })).toBe(0);
      expect(
        sampleValue(body, "vobiz_number_scrape_errors_total", {
          number: FIRST,
          reason: "auth",
        }),
      ).toBe(1);
    } finally {
      await exporter.close();
    }
  });

  test("a reload keeps the last outcomes of the numbers still monitored", async () => {
    const { exporter } = testExporter(config(NUMBERS));
    const outcomeOf = (number: string) =>
      exporter.lastOutcome(exporter.targets.find((t) => t.number === number)!);
    const rotated: ExporterConfig = {
      ...config(NUMBERS),
      accounts: [{ ...config(NUMBERS).accounts[0]!, authToken: new Secret("rotated") }],
    };

    try {
      await exporter.scrape(scrape);
      exporter.apply(config(NUMBERS));
      expect(outcomeOf(FIRST)?.health).toBeDefined();
      expect(outcomeOf(FIRST)?.target).toBe(exporter.targets[0]);

      exporter.apply(config(NUMBERS.slice(1)));
      exporter.apply(config(NUMBERS));
      expect(outcomeOf(FIRST)).toBeUndefined();
      expect(outcomeOf(NUMBERS[1]!)?.health).toBeDefined();

      exporter.apply(rotated);
      expect(outcomeOf(NUMBERS[1]!)).toBeUndefined();
    } finally {
      await exporter.close();
    }
  });

  test("a reload with another token lifts a rate-limit pause", async () => {
    simulator.setFault(FIRST, { name: "rate_limited", retryAfterSeconds: 3_600 });
    const { exporter } = testExporter(config([FIRST]));
    const rotated: ExporterConfig = {
      ...config([FIRST]),
      accounts: [{ ...config([FIRST]).accounts[0]!, authToken: new Secret("rotated") }],
    };

    try {
      await exporter.scrape(scrape);
      await exporter.scrape(scrape);
      expect(healthRequestsFor(simulator, FIRST)).toBe(1);

      exporter.apply(config([FIRST]));
      await exporter.scrape(scrape);
      expect(healthRequestsFor(simulator, FIRST)).toBe(1);

      exporter.apply(rotated);
      await exporter.scrape(scrape);
      expect(healthRequestsFor(simulator, FIRST)).toBe(2);
    } finally {
      await exporter.close();
    }
  });
});
