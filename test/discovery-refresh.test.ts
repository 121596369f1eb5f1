import { afterEach, describe, expect, test } from "vitest";

import type { AccountConfig } from "../src/config/types.js";
import { retryDelayMs } from "../src/discover/retry.js";
import type { Exporter } from "../src/exporter.js";
import { Secret } from "../src/secret.js";
import {
  startSimulator,
  type RunningSimulator,
  type SimAccount,
} from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { FIXED_NOW_MS, sampleValue, testExporter } from "./helpers/exporter.js";
import { waitFor } from "./helpers/processes.js";

const AUTH_ID = "MA_REFRESH";
const TOKEN = "refresh-token";
const TEN_MINUTES = 600_000;

/** Two active numbers, one blocked from the start and one on its way out. */
function simAccount(): SimAccount {
  return {
    authId: AUTH_ID,
    authToken: TOKEN,
    numbers: [
      { e164: "+917200000001", status: "active" },
      { e164: "+917200000002", status: "active" },
      { e164: "+917200000003", status: "blocked" },
      { e164: "+917200000004", status: "pending_release" },
    ],
  };
}

function accountConfig(statuses: readonly string[] = ["active"]): AccountConfig {
  return {
    name: "main",
    authId: AUTH_ID,
    authToken: new Secret(TOKEN),
    labels: {},
    discover: { enabled: true, refreshIntervalMs: TEN_MINUTES, statuses },
    numbers: [],
  };
}

let simulator: RunningSimulator | undefined;
let exporter: Exporter | undefined;

afterEach(async () => {
  await exporter?.close().catch(() => undefined);
  await simulator?.close();
  exporter = undefined;
  simulator = undefined;
});

/**
 * A simulator serving `account` (its list failing with `listFault`, if given) and an
 * exporter discovering it, with its logs captured.
 */
async function start(
  account: SimAccount,
  options: { now?: () => number; listFault?: "http_500" | "http_503" } = {},
) {
  simulator = await startSimulator({ accounts: [account] });
  if (options.listFault) simulator.setFault(AUTH_ID, { name: options.listFault });
  const config = testConfig(simulator.url, { accounts: [accountConfig()] });
  const started = testExporter(config, { now: options.now });
  exporter = started.exporter;
  const logged = () =>
    started.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { simulator, exporter, config, logged };
}

const numbers = (e: Exporter) => e.targets.map((t) => t.number).sort();

describe("retryDelayMs", () => {
  test.each([
    { failures: 1, random: 0, delay: 5_000 },
    { failures: 1, random: 1, delay: 2_500 },
    { failures: 2, random: 0, delay: 10_000 },
    { failures: 3, random: 0.5, delay: 15_000 },
    { failures: 7, random: 0, delay: 320_000 },
    { failures: 8, random: 0, delay: TEN_MINUTES },
    { failures: 8, random: 1, delay: TEN_MINUTES / 2 },
    { failures: 5_000, random: 0, delay: TEN_MINUTES },
  ])("failure $failures with random $random waits $delay ms", (c) => {
    expect(retryDelayMs(c.failures, TEN_MINUTES, () => c.random)).toBe(c.delay);
  });

  test("never waits longer than a short refresh interval", () => {
    expect(retryDelayMs(1, 100, () => 0)).toBe(100);
  });
});

describe("discovery retries", () => {
  // Regression: a failed first read left the exporter without discovered numbers for
  // a whole refresh_interval (10m by default).
  test("a failed first read is retried within seconds, not after refresh_interval", async () => {
    const { simulator, exporter } = await start(simAccount(), { listFault: "http_503" });
    await exporter.refreshDiscovery();
    expect(exporter.targets).toEqual([]);

    simulator.setFault(AUTH_ID, undefined);
    const cleared = Date.now();
    await waitFor(
      "the discovered numbers",
      async () => (exporter.targets.length > 0 ? true : undefined),
      8_000,
      50,
    );

    // The first retry comes 2.5 to 5 s after the failure; the interval is 10 minutes.
    expect(Date.now() - cleared).toBeLessThan(6_000);
    expect(numbers(exporter)).toEqual(["+917200000001", "+917200000002"]);
  }, 15_000);

  test("doubles the delay per failure in a row and starts again after a success", async () => {
    const { simulator, exporter, logged } = await start(simAccount(), {
      now: () => FIXED_NOW_MS,
      listFault: "http_500",
    });
    await exporter.refreshDiscovery();
    await exporter.refreshDiscovery();
    simulator.setFault(AUTH_ID, undefined);
    await exporter.refreshDiscovery();
    simulator.setFault(AUTH_ID, { name: "http_500" });
    await exporter.refreshDiscovery();

    const failures = logged().filter((l) => l.msg === "number discovery failed");
    expect(failures.map((l) => l.failures)).toEqual([1, 2, 1]);
    const bounds = [
      [2_500, 5_000],
      [5_000, 10_000],
      [2_500, 5_000],
    ] as const;
    failures.forEach((line, i) => {
      const wait = Date.parse(String(line.retry_at)) - FIXED_NOW_MS;
      expect(wait, `retry ${i}`).toBeGreaterThanOrEqual(bounds[i]![0]);
      expect(wait, `retry ${i}`).toBeLessThanOrEqual(bounds[i]![1]);
    });
  });
});

describe("discovered numbers whose status changes", () => {
  test("stay monitored while listed, so a number turning blocked shows it", async () => {
    const account = simAccount();
    const { simulator, exporter, config } = await start(account);
    await exporter.refreshDiscovery();
    expect(numbers(exporter)).toEqual(["+917200000001", "+917200000002"]);

    const turned = account.numbers[1]!;
    turned.status = "blocked";
    await exporter.refreshDiscovery();
    exporter.apply(config);
    const body = (await exporter.scrape({ openMetrics: false })).body;

    expect(numbers(exporter)).toEqual(["+917200000001", "+917200000002"]);
    const status = (value: string) =>
      sampleValue(body, "vobiz_number_status", { number: turned.e164, status: value });
    expect([status("blocked"), status("active")]).toEqual([1, 0]);
    expect(body).not.toContain("+917200000003");

    simulator.removeNumber(turned.e164);
    await exporter.refreshDiscovery();
    expect(numbers(exporter)).toEqual(["+917200000001"]);
  });

  test("after a reload to other statuses, keep the numbers seen in one of them", async () => {
    const account = simAccount();
    const { simulator, exporter } = await start(account);
    await exporter.refreshDiscovery();
    const moved = account.numbers[0]!;
    moved.status = "pending_release";
    await exporter.refreshDiscovery();

    const reloaded = { accounts: [accountConfig(["pending_release"])] };
    exporter.apply(testConfig(simulator.url, reloaded));
    expect(numbers(exporter)).toEqual([moved.e164, "+917200000004"]);

    moved.status = "active";
    await exporter.refreshDiscovery();
    expect(numbers(exporter)).toEqual([moved.e164, "+917200000004"]);
  });
});

describe("discover.statuses", () => {
  test("warns once per apply of each status Vobiz does not document", async () => {
    const { simulator, exporter, logged } = await start(simAccount());
    const typo = testConfig(simulator.url, {
      accounts: [accountConfig(["actve", "blocked", "suspended"])],
    });
    exporter.apply(typo);
    exporter.apply(typo);

    const warnings = logged().filter((l) => l.level === "warn");
    expect(warnings.map((l) => [l.account, l.status, l.msg])).toEqual(
      ["actve", "suspended", "actve", "suspended"].map((status) => [
        "main",
        status,
        "discover.statuses holds a status vobiz does not document",
      ]),
    );
  });

  test("does not warn of the documented statuses", async () => {
    const { simulator, exporter, logged } = await start(simAccount());
    const every = [
      "active",
      "pending_purchase",
      "pending_release",
      "released",
      "blocked",
    ];
    exporter.apply(testConfig(simulator.url, { accounts: [accountConfig(every)] }));
    expect(logged().filter((l) => l.level === "warn")).toEqual([]);
  });
});
