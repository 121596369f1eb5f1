import { connect } from "node:net";

import { afterAll, beforeAll, expect, test } from "vitest";

import type { Exporter } from "../src/exporter.js";
import { createHttpApp } from "../src/http/app.js";
import { listen, type Listening } from "../src/http/listen.js";
import {
  generatedAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { testExporter } from "./helpers/exporter.js";
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

/** Asks for /metrics over a raw socket and destroys it once the first bytes arrive. */
function hangUpAfterFirstBytes(baseUrl: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET /metrics HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    });
    socket.once("data", (chunk: Buffer) => {
      socket.destroy();
      resolve(chunk.toString("latin1"));
    });
    socket.once("error", reject);
  });
}
