import { connect } from "node:net";

import { Buffer } from "node:buffer";
import { once } from "node:events";

import express from "express";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Exporter } from "../src/exporter.js";
import type { StreamedExposition } from "../src/exposition.js";
import { createHttpApp } from "../src/http/app.js";
import { listen, type Listening } from "../src/http/listen.js";
import { sendStreamed } from "../src/http/send-streamed.js";
import {
  generatedAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { sampleValue, testExporter } from "./helpers/exporter.js";
import { captureLogger } from "./helpers/logger.js";
import { accountConfigOf } from "./helpers/sim-accounts.js";

// Enough numbers for an answer of several megabytes, far past any socket buffer, so
// that it is still being written when a client hangs up.
const MANY = generatedAccount(3_000, "MA_STREAM00");

let simulator: RunningSimulator;
let exporter: Exporter;
let server: Listening;
let httpLog: string[];

beforeAll(async () => {
  simulator = await startSimulator({ accounts: [MANY], recordRequests: false });
  const config = testConfig(simulator.url, {
    accounts: [accountConfigOf(MANY, "many")],
    api: {
      baseUrl: simulator.url,
      timeoutMs: 10_000,
      maxConcurrency: 64,
      retries: 0,
      maxResponseBytes: 1024 * 1024,
    },
  });
  exporter = testExporter(config).exporter;
  const captured = captureLogger();
  httpLog = captured.lines;
  server = await listen(
    createHttpApp({ exporter, logger: captured.logger, version: "1.2.3" }),
    "127.0.0.1:0",
  );
}, 30_000);

afterAll(async () => {
  await server.close();
  await exporter.close();
  await simulator.close();
});

test("a large /metrics answer is sent chunked, every number in it once", async () => {
  const response = await fetch(`${server.url}/metrics`);
  const body = await response.text();

  expect(response.status).toBe(200);
  expect(response.headers.get("transfer-encoding")).toBe("chunked");
  expect(body.length).toBeGreaterThan(1_000_000);
  const upLines = body.split("\n").filter((line) => line.startsWith("vobiz_number_up{"));
  expect(upLines).toHaveLength(3_000);
  expect(upLines.every((line) => line.endsWith(" 1"))).toBe(true);
  expect(new Set(upLines).size).toBe(3_000);
  // The exporter-wide families follow the per-number ones, after one blank line.
  expect(body).toMatch(/\n\n# HELP vobiz_exporter_/);
  expect(body.endsWith("\n")).toBe(true);
}, 30_000);

test("a client hanging up mid-answer is not an error, and the next scrape works", async () => {
  const received = await hangUpAfterFirstBytes(server.url);
  expect(received).toMatch(/^HTTP\/1\.1 200 OK/);

  // Writing the rest of the answer into the closed connection must fail quietly.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(httpLog.filter((line) => line.includes('"level":"error"'))).toEqual([]);

  const response = await fetch(`${server.url}/metrics`);
  const body = await response.text();
  expect(response.status).toBe(200);
  expect(body.split("\n").filter((l) => l.startsWith("vobiz_number_up{"))).toHaveLength(
    3_000,
  );
}, 30_000);

test("a client hanging up before the answer stops the scrape's upstream reads", async () => {
  const healthRequests = (body: string) =>
    sampleValue(body, "vobiz_api_requests_total", {
      account: "many",
      endpoint: "health",
      code: "200",
    }) ?? 0;
  const before = healthRequests(await (await fetch(`${server.url}/metrics`)).text());

  // 47 rounds of 64 reads at 300 ms each: about 14 s, were it read to the end.
  simulator.setFault("*", { name: "latency", latencyMs: 300 });
  try {
    await hangUpAfter(server.url, 500);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    simulator.setFault("*", undefined);
  }
  const after = await (await fetch(`${server.url}/metrics`)).text();

  // The abandoned scrape sent two or three rounds, not 3,000 reads; this one, 3,000.
  const abandonedReads = healthRequests(after) - before - 3_000;
  expect(abandonedReads).toBeGreaterThan(0);
  expect(abandonedReads).toBeLessThanOrEqual(4 * 64);
  // Its giving up is not the numbers' failure.
  expect(after).not.toMatch(
    /vobiz_number_scrape_errors_total\{[^}]*reason="timeout"\} [1-9]/,
  );
}, 30_000);

describe("the buffers of a streamed answer", () => {
  // The exporter reuses an answer's buffers once its exposition is released: released
  // too early, a later scrape would overwrite bytes still being sent; never released,
  // the pool would run dry.
  let app: Listening;
  let releases: number;
  let clientLeft: Promise<void>;
  let arrived: () => void;
  const requestArrived = new Promise<void>((resolve) => (arrived = resolve));

  /** 200 pieces of 64 KB, far past what socket buffers hold, counting its releases. */
  function exposition(): StreamedExposition {
    const piece = Buffer.alloc(64 * 1024, "a");
    return {
      contentType: "text/plain; charset=utf-8",
      chunks: (async function* () {
        for (let i = 0; i < 200; i += 1) yield [piece];
      })(),
      release: () => (releases += 1),
    };
  }

  beforeAll(async () => {
    const routes = express();
    routes.get("/whole", (_req, res) => void sendStreamed(res, exposition()));
    routes.get("/after-client-left", (_req, res) => {
      arrived();
      clientLeft = once(res, "close").then(() => sendStreamed(res, exposition()));
    });
    app = await listen(routes, "127.0.0.1:0");
  });

  afterAll(async () => {
    await app.close();
  });

  test("are asked for only as fast as the client takes them", async () => {
    // 400 batches of 64 KB, 26 MB: more than loopback's socket buffers hold.
    let taken = 0;
    const slow: StreamedExposition = {
      contentType: "text/plain; charset=utf-8",
      chunks: (async function* () {
        for (; taken < 400; taken += 1) yield [Buffer.alloc(64 * 1024, "b")];
      })(),
      release: () => undefined,
    };
    const routes = express();
    routes.get("/slow", (_req, res) => void sendStreamed(res, slow));
    const slowApp = await listen(routes, "127.0.0.1:0");
    const { hostname, port } = new URL(slowApp.url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /slow HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    });

    try {
      // A client that reads nothing: what was taken waits in the socket buffers.
      socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(taken).toBeGreaterThan(0);
      expect(taken).toBeLessThan(400);

      socket.resume();
      await expect.poll(() => taken, { timeout: 5_000 }).toBe(400);
    } finally {
      socket.destroy();
      await slowApp.close();
    }
  });

  test("are released once the whole answer has been sent", async () => {
    releases = 0;
    const response = await fetch(`${app.url}/whole`);
    expect(releases).toBe(0);
    const body = await response.arrayBuffer();

    expect(body.byteLength).toBe(200 * 64 * 1024);
    await expect.poll(() => releases).toBe(1);
  });

  test("are released when the client hangs up mid-answer", async () => {
    releases = 0;
    await hangUpAfterFirstBytes(app.url, "/whole");
    await expect.poll(() => releases).toBe(1);
  });

  test("are released when the client left before a byte was sent", async () => {
    releases = 0;
    const { hostname, port } = new URL(app.url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /after-client-left HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    });
    await requestArrived;
    socket.destroy();
    await clientLeft;

    expect(releases).toBe(1);
  });
});

/** Asks for /metrics over a raw socket and destroys it `ms` later, unanswered. */
function hangUpAfter(baseUrl: string, ms: number): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /metrics HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, ms);
    });
    socket.once("data", () => reject(new Error("answered before the hang-up")));
    socket.once("error", reject);
  });
}

/** Asks for a path over a raw socket and destroys it once the first bytes arrive. */
function hangUpAfterFirstBytes(baseUrl: string, path = "/metrics"): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    });
    socket.once("data", (chunk: Buffer) => {
      socket.destroy();
      resolve(chunk.toString("latin1"));
    });
    socket.once("error", reject);
  });
}
