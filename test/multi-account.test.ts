import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { AccountConfig } from "../src/config/types.js";
import type { Exporter } from "../src/exporter.js";
import { Secret } from "../src/secret.js";
import {
  startSimulator,
  type RunningSimulator,
  type SimAccount,
} from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { sampleValue, testExporter } from "./helpers/exporter.js";

const ACCOUNTS: SimAccount[] = [
  {
    authId: "MA_ALPHA000",
    authToken: "alpha-token",
    numbers: [{ e164: "+917400000001" }, { e164: "+917400000002" }],
  },
  {
    authId: "SA_BRAVO000",
    authToken: "bravo-token",
    numbers: [{ e164: "+917500000001" }, { e164: "+917500000002", status: "blocked" }],
  },
];

function accountConfig(sim: SimAccount, name: string, discover: boolean): AccountConfig {
  return {
    name,
    authId: sim.authId,
    authToken: new Secret(sim.authToken),
    labels: { tenant: name },
    discover: { enabled: discover, refreshIntervalMs: 3_600_000, statuses: ["active"] },
    numbers: discover ? [] : sim.numbers.map((n) => ({ number: n.e164, labels: {} })),
  };
}

let simulator: RunningSimulator;
let exporter: Exporter;
let body: string;

beforeAll(async () => {
  simulator = await startSimulator({ accounts: ACCOUNTS });
  const [alpha, bravo] = ACCOUNTS as [SimAccount, SimAccount];
  ({ exporter } = testExporter(
    testConfig(simulator.url, {
      accounts: [
        accountConfig(alpha, "alpha", false),
        accountConfig(bravo, "bravo", true),
      ],
    }),
  ));
  await exporter.refreshDiscovery();
  body = (await exporter.scrape({ openMetrics: false })).body;
});

afterAll(async () => {
  await exporter.close();
  await simulator.close();
});

describe("several accounts in one process", () => {
  test("every request carries the credentials of the account it is for", () => {
    expect(simulator.requests.length).toBeGreaterThanOrEqual(4);
    for (const request of simulator.requests) {
      const account = ACCOUNTS.find((a) => request.rawPath.includes(`/${a.authId}/`));
      expect(account, request.rawPath).toBeDefined();
      expect(request.authId).toBe(account?.authId);
      expect(request.authToken).toBe(account?.authToken);
      expect(request.status).toBe(200);
    }
  });

  test("each account reads its own numbers: configured for one, discovered for the other", () => {
    const paths = simulator.requests.map((r) => r.rawPath);
    expect(paths).toContain("/api/v1/Account/SA_BRAVO000/numbers?page=1&per_page=100");
    expect(paths.filter((p) => p.includes("/Account/MA_ALPHA000/"))).toEqual([]);
    expect(paths.filter((p) => p.includes("/health?"))).toHaveLength(3);
  });

  test.each([
    ["alpha", "+917400000001", 1],
    ["alpha", "+917400000002", 1],
    ["bravo", "+917500000001", 1],
    ["bravo", "+917500000002", undefined],
  ])("%s's number %s is up with the account's labels", (account, number, up) => {
    expect(
      sampleValue(body, "vobiz_number_up", { account, number, tenant: account }),
    ).toBe(up);
  });

  test("counts numbers per account and source", () => {
    const count = (account: string, source: string) =>
      sampleValue(body, "vobiz_numbers", { account, source });
    expect([count("alpha", "configured"), count("alpha", "discovered")]).toEqual([2, 0]);
    expect([count("bravo", "configured"), count("bravo", "discovered")]).toEqual([0, 1]);
  });

  test("only the discovering account has discovery metrics", () => {
    expect(
      sampleValue(body, "vobiz_discovery_errors_total", {
        account: "bravo",
        reason: "auth",
      }),
    ).toBe(0);
    expect(body).not.toContain('vobiz_discovery_errors_total{account="alpha"');
  });
});
