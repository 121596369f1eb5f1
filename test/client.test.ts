import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { Collector } from "../src/collect/collector.js";
import { FAILURE_LINES_PER_SCRAPE } from "../src/collect/failure-log.js";
import { deadlineIn } from "../src/collect/deadline.js";
import { configuredTargets } from "../src/collect/target.js";
import { Secret } from "../src/secret.js";
import { VobizClient, type RequestObservation } from "../src/vobiz/client.js";
import { VobizError } from "../src/vobiz/errors.js";
import {
  generatedAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { demoAccountConfig, testConfig } from "./helpers/config.js";
import { captureLogger } from "./helpers/logger.js";
import { freePort } from "./helpers/processes.js";
import { accountConfigOf } from "./helpers/sim-accounts.js";

const HEALTHY = "+919876543210";
const UNKNOWN = "+919000000001";
const query = { granularity: "daily", days: 30 } as const;

let simulator: RunningSimulator;
let observations: RequestObservation[];
let client: VobizClient;

beforeAll(async () => {
  simulator = await startSimulator();
  observations = [];
  client = new VobizClient({
    baseUrl: simulator.url,
    maxResponseBytes: 1024 * 1024,
    observe: (o) => observations.push(o),
  });
});

afterAll(async () => {
  await client.close();
  await simulator.close();
});

const fail = async (number: string, account = demoAccountConfig()) => {
  try {
    await client.getHealth(account, number, query, AbortSignal.timeout(5_000));
  } catch (error) {
    return error as VobizError;
  }
  throw new Error("expected the request to fail");
};

describe("VobizClient.getHealth", () => {
  test("sends the documented path byte for byte, with both auth headers", async () => {
    simulator.resetRequests();
    const answer = await client.getHealth(
      demoAccountConfig(),
      HEALTHY,
      query,
      AbortSignal.timeout(5_000),
    );

    const [received] = simulator.requests;
    expect(received?.rawPath).toBe(
      "/api/v1/account/MA_DEMO0000/numbers/%2B919876543210/health?granularity=daily&days=30",
    );
    expect(received?.authId).toBe("MA_DEMO0000");
    expect(received?.authToken).toBe(demoAccountConfig().authToken.reveal());
    expect(answer.health.summary.totalCalls).toBeGreaterThan(0);
    expect(answer.health.snapshots).toHaveLength(30);
  });

  test("sends hourly granularity and the window size as asked", async () => {
    simulator.resetRequests();
    await client.getHealth(
      demoAccountConfig(),
      HEALTHY,
      { granularity: "hourly", days: 2 },
      AbortSignal.timeout(5_000),
    );
    expect(simulator.requests[0]?.rawPath).toMatch(
      /\/health\?granularity=hourly&days=2$/,
    );
  });

  test.each([
    ["an unknown number", undefined, "not_found", 404],
    ["a wrong token", "unauthorized-token", "auth", 401],
  ])("maps %s to its reason", async (_name, token, reason, status) => {
    const account =
      token === undefined
        ? demoAccountConfig()
        : demoAccountConfig({ authToken: new Secret(token) });
    const error = await fail(token === undefined ? UNKNOWN : HEALTHY, account);

    expect(error).toBeInstanceOf(VobizError);
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(status);
    expect(error.url).toContain("/health?");
  });

  test("keeps the api_id of a 404 for the log", async () => {
    const error = await fail(UNKNOWN);
    expect(error.apiId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.upstreamMessage).toBe("number not found");
  });

  test.each([
    ["html_error", "http_5xx", 500],
    ["http_502", "http_5xx", 502],
    ["malformed_json", "parse", 200],
    ["truncated_json", "parse", 200],
    ["wrong_type", "parse", 200],
    ["oversized", "too_large", undefined],
    ["rate_limited", "rate_limited", 429],
    ["forbidden", "auth", 403],
    ["reset", "network", undefined],
  ] as const)("maps the %s fault to %s", async (fault, reason, status) => {
    simulator.setFault(HEALTHY, { name: fault, bytes: 2 * 1024 * 1024 });
    try {
      const error = await fail(HEALTHY);
      expect(error.reason).toBe(reason);
      expect(error.status).toBe(status);
    } finally {
      simulator.setFault(HEALTHY, undefined);
    }
  });

  test("names the cause of a network failure, such as a refused connection", async () => {
    const closed = new VobizClient({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      maxResponseBytes: 1024,
    });
    const error = (await closed
      .getHealth(demoAccountConfig(), HEALTHY, query, AbortSignal.timeout(5_000))
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as VobizError;
    await closed.close();

    expect(error.reason).toBe("network");
    expect(error.message).toBe("request to Vobiz failed (ECONNREFUSED)");
  });

  test("cleans an HTML error page down to a short excerpt", async () => {
    simulator.setFault(HEALTHY, { name: "html_error" });
    try {
      const error = await fail(HEALTHY);
      expect(error.upstreamMessage).not.toMatch(/[<>]/);
      expect(error.upstreamMessage?.length).toBeLessThanOrEqual(201);
    } finally {
      simulator.setFault(HEALTHY, undefined);
    }
  });

  test("reads Retry-After from a 429", async () => {
    simulator.setFault(HEALTHY, { name: "rate_limited", retryAfterSeconds: 30 });
    try {
      expect((await fail(HEALTHY)).retryAfterMs).toBe(30_000);
    } finally {
      simulator.setFault(HEALTHY, undefined);
    }
  });

  test("ignores unknown fields", async () => {
    simulator.setFault(HEALTHY, { name: "extra_fields" });
    try {
      const answer = await client.getHealth(
        demoAccountConfig(),
        HEALTHY,
        query,
        AbortSignal.timeout(5_000),
      );
      expect(answer.health.summary.totalCalls).toBeGreaterThan(0);
    } finally {
      simulator.setFault(HEALTHY, undefined);
    }
  });

  test("gives up with reason timeout when the deadline passes", async () => {
    simulator.setFault(HEALTHY, { name: "stall" });
    try {
      const error = await client
        .getHealth(demoAccountConfig(), HEALTHY, query, AbortSignal.timeout(200))
        .catch((e: unknown) => e as VobizError);
      expect((error as VobizError).reason).toBe("timeout");
    } finally {
      simulator.setFault(HEALTHY, undefined);
    }
  });

  test("counts every request by account, endpoint and status", async () => {
    observations.length = 0;
    await fail(UNKNOWN);
    expect(observations).toEqual([
      expect.objectContaining({ account: "demo", endpoint: "health", code: "404" }),
    ]);
  });
});

describe("Collector", () => {
  test("one number's failure leaves the others intact and never rejects", async () => {
    const config = testConfig(simulator.url);
    const targets = configuredTargets(config);
    const faulty = targets[0]!.number;
    simulator.setFault(faulty, { name: "malformed_json" });
    const { logger, lines } = captureLogger();
    const collector = new Collector({
      client,
      health: config.health,
      maxConcurrency: 4,
      logger,
    });

    try {
      const outcomes = await collector.collect(targets, deadlineIn(5_000));
      expect(outcomes.map((o) => o.health !== undefined)).toEqual(
        targets.map((t) => t.number !== faulty),
      );
      expect(outcomes[0]?.error?.reason).toBe("parse");
      expect(outcomes[0]?.errorCounts.get("parse")).toBe(1);
      const failure = lines.map((l) => JSON.parse(l)).find((l) => l.number === faulty);
      expect(failure).toMatchObject({ level: "error", reason: "parse", account: "demo" });
    } finally {
      simulator.setFault(faulty, undefined);
    }
  });

  test("an outage logs a few lines a scrape, not one per number each time", async () => {
    const many = generatedAccount(30, "MA_OUTAGE00");
    const outage = await startSimulator({ accounts: [many], recordRequests: false });
    const config = testConfig(outage.url, { accounts: [accountConfigOf(many, "many")] });
    const { logger, lines } = captureLogger();
    const collector = new Collector({
      client: new VobizClient({ baseUrl: outage.url, maxResponseBytes: 1 << 20 }),
      health: config.health,
      maxConcurrency: 8,
      logger,
    });
    const targets = configuredTargets(config);
    const scrape = async () => {
      lines.length = 0;
      await collector.collect(targets, deadlineIn(5_000));
      return lines.map((l) => JSON.parse(l)).filter((l) => l.level === "error");
    };

    try {
      outage.setFault("*", { name: "malformed_json" });
      const first = await scrape();
      expect(first.filter((l) => l.msg === "number health read failed")).toHaveLength(
        FAILURE_LINES_PER_SCRAPE,
      );
      expect(first.filter((l) => l.msg !== "number health read failed")).toEqual([
        expect.objectContaining({ numbers: 20, reasons: { parse: 20 } }),
      ]);
      // The same failures again: at debug level only.
      expect(await scrape()).toEqual([]);
      expect(lines.filter((l) => l.includes('"number health read failed"'))).toHaveLength(
        30,
      );

      // Another reason is news again, and so is a failure after a success.
      outage.setFault(many.numbers[0]!.e164, { name: "http_500" });
      expect((await scrape()).map((l) => l.reason)).toEqual(["http_5xx"]);
      outage.setFault("*", undefined);
      expect(await scrape()).toEqual([]);
      outage.setFault(many.numbers[1]!.e164, { name: "malformed_json" });
      expect((await scrape()).map((l) => l.number)).toEqual([many.numbers[1]!.e164]);
    } finally {
      await outage.close();
    }
  });

  test("never has more than max_concurrency requests in flight", async () => {
    const config = testConfig(simulator.url);
    const targets = configuredTargets(config);
    simulator.setFault("*", { name: "latency", latencyMs: 100 });
    let inFlight = 0;
    let most = 0;
    const counting = new VobizClient({
      baseUrl: simulator.url,
      maxResponseBytes: 1 << 20,
    });
    const original = counting.fetchHealth.bind(counting);
    counting.fetchHealth = async (...args) => {
      most = Math.max(most, ++inFlight);
      try {
        return await original(...args);
      } finally {
        inFlight -= 1;
      }
    };
    const collector = new Collector({
      client: counting,
      health: config.health,
      maxConcurrency: 2,
      logger: captureLogger().logger,
    });

    try {
      await collector.collect(targets, deadlineIn(5_000));
      expect(most).toBe(2);
    } finally {
      simulator.setFault("*", undefined);
      await counting.close();
    }
  });

  test("a request slot is free for the next number before the answer is decoded", async () => {
    const config = testConfig(simulator.url);
    const [first, second] = configuredTargets(config);
    const steps: string[] = [];
    const tracing = new VobizClient({
      baseUrl: simulator.url,
      maxResponseBytes: 1 << 20,
    });
    const fetchHealth = tracing.fetchHealth.bind(tracing);
    const decodeHealth = tracing.decodeHealth.bind(tracing);
    tracing.fetchHealth = (account, number, ...rest) => {
      steps.push(`request ${number}`);
      return fetchHealth(account, number, ...rest);
    };
    tracing.decodeHealth = (text, ...rest) => {
      steps.push(`decode ${decodeURIComponent(text.url).split("/").at(-2)}`);
      return decodeHealth(text, ...rest);
    };
    const collector = new Collector({
      client: tracing,
      health: config.health,
      maxConcurrency: 1,
      logger: captureLogger().logger,
    });

    try {
      await collector.collect([first!, second!], deadlineIn(5_000));
      expect(steps).toEqual([
        `request ${first!.number}`,
        `request ${second!.number}`,
        `decode ${first!.number}`,
        `decode ${second!.number}`,
      ]);
    } finally {
      await tracing.close();
    }
  });
});
