import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, beforeEach, describe, expect, test } from "vitest";

import type { AccountConfig } from "../src/config/types.js";
import { listNumbers, MAX_LISTED_NUMBERS } from "../src/discover/list-numbers.js";
import type { Exporter } from "../src/exporter.js";
import { Secret } from "../src/secret.js";
import {
  startSimulator,
  type RunningSimulator,
  type SimAccount,
} from "../src/simulator/index.js";
import { VobizClient } from "../src/vobiz/client.js";
import type { VobizError } from "../src/vobiz/errors.js";
import { testConfig } from "./helpers/config.js";
import { sampleValue, testExporter } from "./helpers/exporter.js";
import { waitFor } from "./helpers/processes.js";
import { findTool } from "./helpers/tools.js";

const MAIN = "MA_DISCOVER";
const SUB = "SA_SUBACCT1";
const TOKEN = "discover-token";
const STATUSES = ["active", "blocked", "pending_release"] as const;
const CONFIGURED = "+917100000000"; // index 0: active, owned by the main account

/** 250 numbers over three pages: statuses cycle, every fourth belongs to the sub-account. */
function discoveringAccount(): SimAccount {
  return {
    authId: MAIN,
    authToken: TOKEN,
    numbers: Array.from({ length: 250 }, (_, i) => ({
      e164: `+91${7_100_000_000 + i}`,
      status: STATUSES[i % 3],
      ...(i % 4 === 1 ? { ownerAuthId: SUB } : {}),
    })),
  };
}

const account = discoveringAccount();
const active = account.numbers.filter((n) => n.status === "active");

function accountConfig(refreshIntervalMs = 3_600_000): AccountConfig {
  return {
    name: "main",
    authId: MAIN,
    authToken: new Secret(TOKEN),
    labels: { env: "test" },
    discover: { enabled: true, refreshIntervalMs, statuses: ["active"] },
    numbers: [{ number: CONFIGURED, labels: { team: "sales" } }],
  };
}

/** `number` → the label text of its `vobiz_number_up` line, for every number scraped. */
function upLines(exposition: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of exposition.split("\n")) {
    const number = /^vobiz_number_up\{.*number="([^"]+)"/.exec(line)?.[1];
    if (number !== undefined) lines.set(number, line);
  }
  return lines;
}

let simulator: RunningSimulator;
let exporter: Exporter;
let logLines: string[];

beforeEach(async () => {
  simulator = await startSimulator({ accounts: [discoveringAccount()] });
  ({ exporter, logLines } = testExporter(
    testConfig(simulator.url, { accounts: [accountConfig()] }),
  ));
  await exporter.refreshDiscovery();
});

afterEach(async () => {
  // One test closes the exporter itself; a second close of its pool rejects.
  await exporter.close().catch(() => undefined);
  await simulator.close();
});

const scrape = async () => (await exporter.scrape({ openMetrics: false })).body;

describe("number discovery", () => {
  test("pages through the list with per_page 100 and the capital-A path", () => {
    const lists = simulator.requests.filter((r) => r.rawPath.includes("/Account/"));
    expect(lists.map((r) => r.rawPath)).toEqual(
      [1, 2, 3].map((p) => `/api/v1/Account/${MAIN}/numbers?page=${p}&per_page=100`),
    );
  });

  test("logs how many numbers it found at info level, and an unchanged list at debug", async () => {
    const discovered = () =>
      logLines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === "numbers discovered");
    expect(discovered()).toEqual([
      expect.objectContaining({
        level: "info",
        account: "main",
        listed: 250,
        numbers: active.length,
      }),
    ]);

    await exporter.refreshDiscovery();
    expect(discovered().map((l) => l.level)).toEqual(["info", "debug"]);
  });

  test("scrapes exactly the active numbers, the configured one with its labels", async () => {
    simulator.resetRequests();
    const lines = upLines(await scrape());

    expect([...lines.keys()].sort()).toEqual(active.map((n) => n.e164).sort());
    expect(lines.get(CONFIGURED)).toContain('team="sales"');
    const healthPaths = simulator.requests.map((r) => r.rawPath);
    expect(healthPaths.every((p) => p.includes("/health?"))).toBe(true);
    expect(healthPaths).toHaveLength(active.length);
  });

  test("labels numbers of the sub-account with their owner, and only those", async () => {
    const lines = upLines(await scrape());
    for (const n of active) {
      const line = lines.get(n.e164) ?? "";
      const owned = n.ownerAuthId !== undefined && n.e164 !== CONFIGURED;
      expect(line.includes(`owner="${SUB}"`), n.e164).toBe(owned);
      if (!owned) expect(line).not.toContain("owner=");
    }
    expect(active.some((n) => n.ownerAuthId === SUB)).toBe(true);
  });

  test("counts configured and discovered numbers apart", async () => {
    const body = await scrape();
    const count = (source: string) =>
      sampleValue(body, "vobiz_numbers", { account: "main", source });
    expect(count("configured")).toBe(1);
    expect(count("discovered")).toBe(active.length - 1);
  });

  test("a failed refresh keeps the last list, is counted and logged", async () => {
    const before = await scrape();
    const lastSuccess = sampleValue(
      before,
      "vobiz_discovery_last_success_timestamp_seconds",
      { account: "main" },
    );
    expect(lastSuccess).toBeGreaterThan(0);

    simulator.setFault(MAIN, { name: "http_500" });
    await exporter.refreshDiscovery();
    const after = await scrape();

    expect([...upLines(after).keys()].sort()).toEqual(active.map((n) => n.e164).sort());
    const errors = (reason: string) =>
      sampleValue(after, "vobiz_discovery_errors_total", { account: "main", reason });
    expect(errors("http_5xx")).toBe(1);
    expect(errors("network")).toBe(0);
    expect(
      sampleValue(after, "vobiz_discovery_last_success_timestamp_seconds", {
        account: "main",
      }),
    ).toBe(lastSuccess);

    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = logged.find((l) => l.msg === "number discovery failed");
    expect(failure).toMatchObject({
      level: "error",
      account: "main",
      reason: "http_5xx",
    });
    expect(failure?.api_id).toEqual(expect.any(String));
  });

  test("an unreachable API keeps the last list and counts a network error", async () => {
    await simulator.close();
    await exporter.refreshDiscovery();
    const body = await scrape();

    expect(upLines(body).size).toBe(active.length);
    expect(
      sampleValue(body, "vobiz_discovery_errors_total", {
        account: "main",
        reason: "network",
      }),
    ).toBe(1);
  });

  test("a number that leaves the list vanishes after the next refresh", async () => {
    const gone = active.find((n) => n.e164 !== CONFIGURED)?.e164 ?? "";
    expect(upLines(await scrape()).has(gone)).toBe(true);

    simulator.removeNumber(gone);
    expect(upLines(await scrape()).has(gone)).toBe(true);
    await exporter.refreshDiscovery();

    const body = await scrape();
    expect(upLines(body).has(gone)).toBe(false);
    expect(body).not.toContain(gone);
    expect(
      sampleValue(body, "vobiz_numbers", { account: "main", source: "discovered" }),
    ).toBe(active.length - 2);
  });

  test("a configured number stays when the list drops it", async () => {
    simulator.removeNumber(CONFIGURED);
    await exporter.refreshDiscovery();
    expect(upLines(await scrape()).get(CONFIGURED)).toContain('team="sales"');
  });
});

describe.skipIf(findTool("promtool") === undefined)("discovery metrics", () => {
  const check = (exposition: string) =>
    spawnSync(findTool("promtool")!, ["check", "metrics"], {
      input: exposition,
      encoding: "utf8",
    });

  test("pass promtool check metrics, before and after a first success", async () => {
    simulator.setFault(MAIN, { name: "http_503" });
    exporter.apply(
      testConfig(simulator.url, { accounts: [{ ...accountConfig(), name: "new" }] }),
    );
    await exporter.refreshDiscovery();
    const failing = await scrape();
    expect(failing).toContain(
      'vobiz_discovery_errors_total{account="new",reason="http_5xx"} 1',
    );
    expect(failing).not.toContain("vobiz_discovery_last_success_timestamp_seconds{");

    simulator.setFault(MAIN, undefined);
    await exporter.refreshDiscovery();
    const working = await scrape();
    expect(working).toContain(
      'vobiz_discovery_last_success_timestamp_seconds{account="new"}',
    );

    for (const exposition of [failing, working]) {
      const result = check(exposition);
      expect(result.stdout + result.stderr).toBe("");
      expect(result.status).toBe(0);
    }
  });
});

describe("discovery lifecycle", () => {
  const listRequests = () =>
    simulator.requests.filter((r) => r.rawPath.includes("/Account/")).length;

  test("refreshes every refresh_interval in the background", async () => {
    exporter.apply(testConfig(simulator.url, { accounts: [accountConfig(100)] }));
    simulator.resetRequests();
    await waitFor("two background refreshes", async () =>
      listRequests() >= 6 ? true : undefined,
    );
  });

  test("stops its timers on close and on apply", async () => {
    exporter.apply(testConfig(simulator.url, { accounts: [accountConfig(50)] }));
    exporter.apply(testConfig(simulator.url, { accounts: [accountConfig(3_600_000)] }));
    await exporter.refreshDiscovery();
    simulator.resetRequests();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listRequests()).toBe(0);

    exporter.apply(testConfig(simulator.url, { accounts: [accountConfig(50)] }));
    await exporter.close();
    simulator.resetRequests();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listRequests()).toBe(0);
  });

  test("keeps the discovered numbers across a reload, and drops them when disabled", async () => {
    exporter.apply(testConfig(simulator.url, { accounts: [accountConfig()] }));
    expect(exporter.targets).toHaveLength(active.length);

    const off = {
      ...accountConfig(),
      discover: { ...accountConfig().discover, enabled: false },
    };
    exporter.apply(testConfig(simulator.url, { accounts: [off] }));
    expect(exporter.targets.map((t) => t.number)).toEqual([CONFIGURED]);
    expect(await scrape()).not.toContain("vobiz_discovery_errors_total{");
  });
});

describe("a number list that does not end as it should", () => {
  /** A list API answering every page with `page(n)`, over a real socket. */
  async function listServer(page: (n: number) => { items: unknown[]; total: number }) {
    const server = createServer((req, res) => {
      const n = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page"));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(page(n)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new VobizClient({
      baseUrl: `http://127.0.0.1:${port}`,
      maxResponseBytes: 1 << 20,
    });
    const limits = { signal: new AbortController().signal, pageTimeoutMs: 5_000 };
    return {
      list: () => listNumbers(client, accountConfig(), limits),
      close: async () => {
        await client.close();
        server.close();
      },
    };
  }
  const numbersFrom = (first: number) =>
    Array.from({ length: 100 }, (_, i) => ({ e164: `+91${7_200_000_000 + first + i}` }));

  test("stops at a page that brings no new number, keeping each number once", async () => {
    // An API that ignores `page`: the same hundred numbers, of a total of 300.
    const api = await listServer(() => ({ items: numbersFrom(0), total: 300 }));
    try {
      const listed = await api.list();
      expect(listed).toHaveLength(100);
      expect(new Set(listed.map((n) => n.number)).size).toBe(100);
    } finally {
      await api.close();
    }
  });

  /** The error `listNumbers` ends with, or undefined when it returns a list. */
  const failureOf = (listing: Promise<unknown>) =>
    listing.then(
      () => undefined,
      (error: unknown) => error as VobizError,
    );

  test("refuses at once a list whose first page says it holds too many", async () => {
    let pages = 0;
    const api = await listServer((n) => {
      pages += 1;
      return { items: numbersFrom(n * 100), total: 1e9 };
    });
    try {
      const refused = await failureOf(api.list());
      expect(refused?.reason).toBe("parse");
      expect(refused?.message).toContain(
        `more than ${MAX_LISTED_NUMBERS} numbers (Vobiz says 1000000000)`,
      );
      expect(refused?.message).toContain("list the numbers in exporter.yml");
      // Reading a thousand pages to find out, at every retry, would spend the rate limit.
      expect(pages).toBe(1);
    } finally {
      await api.close();
    }
  });

  test(`refuses a list that grows past ${MAX_LISTED_NUMBERS} numbers as it is read`, async () => {
    // Every page brings new numbers and says there is one page more.
    const api = await listServer((n) => ({
      items: numbersFrom(n * 100),
      total: n * 100 + 1,
    }));
    try {
      const refused = await failureOf(api.list());
      expect(refused?.reason).toBe("parse");
      expect(refused?.message).toContain(`more than ${MAX_LISTED_NUMBERS} numbers`);
    } finally {
      await api.close();
    }
  }, 30_000);
});
