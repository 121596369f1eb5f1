import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { sampleValue } from "./helpers/exporter.js";
import { freePort, isUp, startChild, waitFor } from "./helpers/processes.js";

const SLOW = "+919876543210";
const STALLED = "+919812345678";
const LATENCY_MS = 1500;

let dir: string;
let simulator: RunningSimulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vobiz-drain-"));
  simulator = await startSimulator();
  simulator.setFault(SLOW, { name: "latency", latencyMs: LATENCY_MS });
  simulator.setFault(STALLED, { name: "stall" });
});

afterAll(async () => {
  await simulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `node dist/main.js` monitoring `number`, and waits until it listens. */
async function startExporterProcess(number: string, timeout = "10s") {
  const file = join(dir, `${number.slice(1)}.yml`);
  await writeFile(
    file,
    [
      `api: { base_url: "${simulator.url}", timeout: ${timeout}, retries: 0 }`,
      "cache: { ttl: 0 }",
      "accounts:",
      `  - { auth_id: ${DEMO_AUTH_ID}, auth_token: ${DEMO_AUTH_TOKEN}, numbers: ["${number}"] }`,
    ].join("\n"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(process.execPath, [
    "dist/main.js",
    `--config.file=${file}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  await waitFor("the exporter to listen", () => isUp(`${url}/-/healthy`));
  return { child, url };
}

describe("shutdown and deadlines", () => {
  test("SIGTERM during a slow scrape lets it finish with 200, then exits 0", async () => {
    const { child, url } = await startExporterProcess(SLOW);
    const exited = new Promise<number | null>((resolve) =>
      child.process.once("exit", (code) => resolve(code)),
    );

    const scrape = fetch(`${url}/metrics`).then(async (response) => ({
      status: response.status,
      body: await response.text(),
    }));
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS / 3));
    child.process.kill("SIGTERM");

    const answer = await scrape;
    expect(answer.status).toBe(200);
    expect(sampleValue(answer.body, "vobiz_number_up", { number: SLOW })).toBe(1);
    expect(await exited).toBe(0);
    expect(child.output()).toContain('"msg":"shutting down"');
  });

  test("a stalled upstream cannot hold a scrape past api.timeout", async () => {
    const { child, url } = await startExporterProcess(STALLED, "1s");
    try {
      const started = Date.now();
      const response = await fetch(`${url}/metrics`);
      const body = await response.text();

      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(sampleValue(body, "vobiz_number_up", { number: STALLED })).toBe(0);
    } finally {
      expect(await child.stop()).toBe(0);
    }
  });
});
