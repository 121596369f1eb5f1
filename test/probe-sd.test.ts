import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { AccountConfig } from "../src/config/types.js";
import type { Exporter } from "../src/exporter.js";
import { createHttpApp } from "../src/http/app.js";
import { listen, type Listening } from "../src/http/listen.js";
import { Secret } from "../src/secret.js";
import {
  demoAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { demoAccountConfig, testConfig } from "./helpers/config.js";
import { FIXED_NOW_MS, testExporter } from "./helpers/exporter.js";
import { captureLogger } from "./helpers/logger.js";

const SUB = "SA_PROBE01";
const DISCOVERED = "+917300000001";
const STALLED = "+917300000002";
const OPENMETRICS = "application/openmetrics-text;version=1.0.0";

let simulator: RunningSimulator;
let exporter: Exporter;
let server: Listening;

function discoveringAccount(): AccountConfig {
  return {
    name: "disc",
    authId: "MA_PROBE00",
    authToken: new Secret("probe-token"),
    labels: { region: "south" },
    discover: { enabled: true, refreshIntervalMs: 3_600_000, statuses: ["active"] },
    numbers: [],
  };
}

beforeAll(async () => {
  // A fixed clock on both sides keeps every value equal between two scrapes.
  simulator = await startSimulator({
    now: () => new Date(FIXED_NOW_MS),
    accounts: [
      demoAccount(),
      {
        authId: "MA_PROBE00",
        authToken: "probe-token",
        numbers: [
          { e164: DISCOVERED, ownerAuthId: SUB },
          { e164: STALLED },
          { e164: "+917300000003", status: "released" },
        ],
      },
    ],
  });
  const demo = demoAccountConfig({ labels: { env: "demo" } });
  const withLabels = {
    ...demo,
    numbers: demo.numbers.map((n, i) =>
      i === 0 ? { ...n, labels: { team: "sales" } } : n,
    ),
  };
  exporter = testExporter(
    testConfig(simulator.url, { accounts: [withLabels, discoveringAccount()] }),
    { now: () => FIXED_NOW_MS },
  ).exporter;
  await exporter.refreshDiscovery();
  const app = createHttpApp({ exporter, logger: captureLogger().logger, version: "1" });
  server = await listen(app, "127.0.0.1:0");
});

afterAll(async () => {
  await server.close();
  await exporter.close();
  await simulator.close();
});

const probeUrl = (account: string, number: string) =>
  `${server.url}/probe?account=${account}&number=${encodeURIComponent(number)}`;

/** The series lines of a number in a text exposition, without the volatile duration. */
function seriesOf(exposition: string, number: string): string[] {
  return exposition
    .split("\n")
    .filter((line) => line.includes(`number="${number}"`))
    .filter((line) => !line.startsWith("vobiz_number_scrape_duration_seconds"))
    .map((line) =>
      line.replace(/^(vobiz_number_scrape_errors_total\{[^}]*\}) \d+$/, "$1"),
    )
    .sort();
}

describe("GET /probe", () => {
  test.each([
    ["a configured number", "demo", "+919876543210"],
    ["a discovered number of a sub-account", "disc", DISCOVERED],
  ])("serves the same series as /metrics for %s", async (_what, account, number) => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const response = await fetch(probeUrl(account, number));
    const probe = await response.text();

    expect(response.status).toBe(200);
    expect(seriesOf(probe, number)).toEqual(seriesOf(metrics, number));
    expect(seriesOf(probe, number).length).toBeGreaterThan(10);
    // Nothing of other numbers, nor of the exporter itself.
    expect(
      probe.split("\n").filter((l) => /^[a-z]/.test(l) && !l.includes(number)),
    ).toEqual([]);
    expect(probe).not.toContain("vobiz_exporter_build_info");
  });

  test("keeps the configured and owner labels", async () => {
    const sales = await (await fetch(probeUrl("demo", "+919876543210"))).text();
    expect(sales).toContain(
      'vobiz_number_up{account="demo",number="+919876543210",env="demo",team="sales"} 1',
    );
    const owned = await (await fetch(probeUrl("disc", DISCOVERED))).text();
    expect(owned).toContain(
      `vobiz_number_up{account="disc",number="${DISCOVERED}",owner="${SUB}",region="south"} 1`,
    );
  });

  test("answers OpenMetrics when asked", async () => {
    const response = await fetch(probeUrl("demo", "+919876543210"), {
      headers: { accept: OPENMETRICS },
    });
    expect(response.headers.get("content-type")).toContain(
      "application/openmetrics-text",
    );
    expect((await response.text()).endsWith("# EOF\n")).toBe(true);
  });

  test("honours X-Prometheus-Scrape-Timeout-Seconds", async () => {
    simulator.setFault(STALLED, { name: "stall" });
    const started = Date.now();
    const response = await fetch(probeUrl("disc", STALLED), {
      headers: { "x-prometheus-scrape-timeout-seconds": "1" },
    });
    const body = await response.text();
    simulator.setFault(STALLED, undefined);

    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(body).toMatch(/vobiz_number_up\{[^}]*\} 0/);
    expect(body).toMatch(
      /vobiz_number_scrape_errors_total\{[^}]*reason="timeout"[^}]*\} 1/,
    );
  });

  test.each([
    ["no account", "/probe?number=%2B919876543210", 'missing parameter "account"'],
    ["no number", "/probe?account=demo", 'missing parameter "number"'],
    ["an empty number", "/probe?account=demo&number=", 'missing parameter "number"'],
    [
      "two accounts",
      "/probe?account=demo&account=disc&number=%2B919876543210",
      "2 times",
    ],
    [
      "an unknown account",
      "/probe?account=nope&number=%2B919876543210",
      'unknown account "nope"; this exporter has: demo, disc',
    ],
    [
      "a number without +",
      "/probe?account=demo&number=919876543210",
      'number "919876543210" is not E.164',
    ],
    [
      "a + left unencoded",
      "/probe?account=demo&number=+919876543210",
      'write the "+" as %2B in the URL',
    ],
    [
      "a number not monitored",
      "/probe?account=demo&number=%2B919000000001",
      'number +919000000001 is not monitored by account "demo"',
    ],
    [
      "a number of another account",
      `/probe?account=demo&number=${encodeURIComponent(DISCOVERED)}`,
      "neither configured nor discovered",
    ],
    [
      "a listed number with a status not kept",
      "/probe?account=disc&number=%2B917300000003",
      "is not monitored",
    ],
  ])("answers 400 for %s", async (_what, path, message) => {
    simulator.resetRequests();
    const response = await fetch(`${server.url}${path}`);
    const body = await response.text();

    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(body).toContain(message);
    expect(body).toContain("usage: /probe?account=NAME&number=%2B");
    expect(simulator.requests).toEqual([]);
  });
});

describe("GET /sd", () => {
  test("lists every monitored number as a target group addressed to this exporter", async () => {
    const response = await fetch(`${server.url}/sd`);
    const groups = (await response.json()) as {
      targets: string[];
      labels: Record<string, string>;
    }[];
    const host = new URL(server.url).host;

    expect(response.headers.get("content-type")).toContain("application/json");
    expect(groups).toHaveLength(demoAccount().numbers.length + 2);
    expect(groups.every((g) => g.targets.length === 1 && g.targets[0] === host)).toBe(
      true,
    );
    expect(groups[0]).toEqual({
      targets: [host],
      labels: {
        __param_account: "demo",
        __param_number: "+919876543210",
        account: "demo",
        number: "+919876543210",
        env: "demo",
        team: "sales",
      },
    });
    expect(groups.find((g) => g.labels.number === DISCOVERED)?.labels).toEqual({
      __param_account: "disc",
      __param_number: DISCOVERED,
      account: "disc",
      number: DISCOVERED,
      owner: SUB,
      region: "south",
    });
  });

  test("addresses targets as the client reached the exporter", async () => {
    const { request } = await import("node:http");
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${server.url}/sd`, { headers: { host: "exporter-1:9817" } });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        res.on("end", () => resolve(text));
      });
      req.on("error", reject);
      req.end();
    });
    const groups = JSON.parse(body) as { targets: string[] }[];
    expect(new Set(groups.map((g) => g.targets[0]))).toEqual(
      new Set(["exporter-1:9817"]),
    );
  });
});
