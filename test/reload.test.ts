import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startExporter, type RunningExporter } from "../src/commands/run-exporter.js";
import { loadConfig, type LoadResult } from "../src/config/load.js";
import { Reloader } from "../src/reloader.js";
import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { sampleValue, testExporter } from "./helpers/exporter.js";
import { captureLogger } from "./helpers/logger.js";
import { freePort, isUp, startChild, waitFor } from "./helpers/processes.js";

const A = "+919876543210";
const B = "+919812345678";
const C = "+918041234567";

let dir: string;
let simulator: RunningSimulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vobiz-reload-"));
  simulator = await startSimulator();
});

afterAll(async () => {
  await simulator.close();
  await rm(dir, { recursive: true, force: true });
});

function configText(numbers: readonly string[]): string {
  return [
    "cache: { ttl: 0 }",
    `api: { base_url: "${simulator.url}" }`,
    "accounts:",
    "  - name: demo",
    `    auth_id: ${DEMO_AUTH_ID}`,
    `    auth_token: ${DEMO_AUTH_TOKEN}`,
    `    numbers: [${numbers.map((n) => `"${n}"`).join(", ")}]`,
  ].join("\n");
}

const monitored = (metrics: string, number: string) =>
  sampleValue(metrics, "vobiz_number_up", { number }) !== undefined;

describe("POST /-/reload", () => {
  let file: string;
  let running: RunningExporter;

  const fetchText = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${running.listening.url}${path}`, init);
    return {
      status: response.status,
      headers: response.headers,
      body: await response.text(),
    };
  };
  const reload = () => fetchText("/-/reload", { method: "POST" });
  const metrics = async () => (await fetchText("/metrics")).body;

  beforeAll(async () => {
    file = join(dir, "exporter.yml");
    await writeFile(file, configText([A, B]));
    const loaded = await loadConfig(file);
    if (!loaded.ok) throw new Error("the test configuration is invalid");
    const { logger } = captureLogger();
    running = await startExporter(loaded.config, logger, "127.0.0.1:0", {
      load: () => loadConfig(file),
    });
  });

  afterAll(async () => {
    await running.stop();
  });

  test("a valid file swaps the numbers in for the next scrape", async () => {
    expect(monitored(await metrics(), B)).toBe(true);
    await writeFile(file, configText([A, C]));

    expect(await reload()).toMatchObject({ status: 200 });

    const after = await metrics();
    expect(monitored(after, A)).toBe(true);
    expect(monitored(after, B)).toBe(false);
    expect(monitored(after, C)).toBe(true);
    expect(sampleValue(after, "vobiz_config_last_reload_successful", {})).toBe(1);
  });

  test("an invalid file keeps the running numbers and answers 500 with the problems", async () => {
    const before = await metrics();
    const lastSuccess = sampleValue(
      before,
      "vobiz_config_last_reload_success_timestamp_seconds",
      {},
    );
    await writeFile(file, configText([A, "0801234"]));

    const answer = await reload();

    expect(answer.status).toBe(500);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(answer.body).toContain(`${file}:7:`);
    expect(answer.body).toContain("accounts[0].numbers[1]");
    const after = await metrics();
    expect(monitored(after, A) && monitored(after, C)).toBe(true);
    expect(sampleValue(after, "vobiz_config_last_reload_successful", {})).toBe(0);
    expect(
      sampleValue(after, "vobiz_config_last_reload_success_timestamp_seconds", {}),
    ).toBe(lastSuccess);
  });

  test.each(["GET", "PUT", "DELETE"])(
    "%s answers 405 with Allow: POST",
    async (method) => {
      const answer = await fetchText("/-/reload", { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST");
    },
  );
});

describe("Reloader", () => {
  test("runs one reload at a time, in order", async () => {
    const config = testConfig(simulator.url);
    const { exporter } = testExporter(config);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    let calls = 0;
    const load = async (): Promise<LoadResult> => {
      const call = ++calls;
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push(call);
      active -= 1;
      return { ok: true, config };
    };
    const reloader = new Reloader({ exporter, logger: captureLogger().logger, load });

    const results = await Promise.all([1, 2, 3].map(() => reloader.reload("http")));

    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3]);
    await exporter.close();
  });
});

describe("SIGHUP", () => {
  test("reloads the file of a running vobiz-exporter", async () => {
    const file = join(dir, "sighup.yml");
    await writeFile(file, configText([A]));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = startChild(process.execPath, [
      "dist/main.js",
      `--config.file=${file}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    const scrape = async () => (await fetch(`${url}/metrics`)).text();

    try {
      await waitFor("the exporter to listen", () => isUp(`${url}/-/healthy`));
      expect(monitored(await scrape(), C)).toBe(false);
      await writeFile(file, configText([A, C]));

      child.process.kill("SIGHUP");

      await waitFor("the reload", async () =>
        monitored(await scrape(), C) ? true : undefined,
      );
      expect(child.process.exitCode).toBeNull();
      expect(child.output()).toContain('"msg":"configuration reloaded"');
    } finally {
      expect(await child.stop()).toBe(0);
    }
  });
});
