import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Exporter } from "../src/exporter.js";
import { createHttpApp } from "../src/http/app.js";
import { listen, parseListenAddress, type Listening } from "../src/http/listen.js";
import { wantsOpenMetrics } from "../src/http/negotiate.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { testConfig } from "./helpers/config.js";
import { captureLogger } from "./helpers/logger.js";
import { sampleValue, testExporter } from "./helpers/exporter.js";

// What Prometheus 2.42 sends when scraping.
const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;" +
  "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

let simulator: RunningSimulator;
let exporter: Exporter;
let server: Listening;

beforeAll(async () => {
  simulator = await startSimulator();
  exporter = testExporter(testConfig(simulator.url)).exporter;
  const app = createHttpApp({
    exporter,
    logger: captureLogger().logger,
    version: "1.2.3",
  });
  server = await listen(app, "127.0.0.1:0");
});

afterAll(async () => {
  await server.close();
  await exporter.close();
  await simulator.close();
});

describe("GET /metrics", () => {
  test("answers text format 0.0.4 by default", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(
      "text/plain; version=0.0.4; charset=utf-8",
    );
    expect(await response.text()).toContain("vobiz_number_up{");
  });

  test("answers OpenMetrics to Prometheus's Accept header", async () => {
    const response = await fetch(`${server.url}/metrics`, {
      headers: { accept: PROMETHEUS_ACCEPT },
    });
    expect(response.headers.get("content-type")).toBe(
      "application/openmetrics-text; version=1.0.0; charset=utf-8",
    );
    expect((await response.text()).endsWith("# EOF\n")).toBe(true);
  });

  test("answers 200 within the scrape timeout even when a number stalls", async () => {
    const stalled = "+919876543210";
    simulator.setFault(stalled, { name: "stall" });
    try {
      const started = Date.now();
      const response = await fetch(`${server.url}/metrics`, {
        headers: { "x-prometheus-scrape-timeout-seconds": "1.5" },
      });
      const body = await response.text();

      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(sampleValue(body, "vobiz_number_up", { number: stalled })).toBe(0);
      expect(
        sampleValue(body, "vobiz_number_scrape_errors_total", {
          number: stalled,
          reason: "timeout",
        }),
      ).toBe(1);
      expect(sampleValue(body, "vobiz_number_up", { number: "+919812345678" })).toBe(1);
    } finally {
      simulator.setFault(stalled, undefined);
    }
  });
});

describe("methods", () => {
  test.each([
    ["POST", "/metrics"],
    ["PUT", "/probe"],
    ["DELETE", "/config"],
    ["OPTIONS", "/config"],
    ["OPTIONS", "/metrics"],
    ["POST", "/"],
  ])("%s %s answers 405 with Allow: GET, HEAD", async (method, path) => {
    const response = await fetch(`${server.url}${path}`, { method });

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(await response.text()).toBe(`${path} is only read: use GET.\n`);
  });

  test("HEAD /-/healthy is answered as GET is", async () => {
    const response = await fetch(`${server.url}/-/healthy`, { method: "HEAD" });
    expect(response.status).toBe(200);
  });
});

describe("other endpoints", () => {
  test.each([
    ["/-/healthy", 200, "Healthy"],
    ["/-/ready", 200, "Ready"],
    ["/nope", 404, "Not found"],
  ])("GET %s answers %i", async (path, status, text) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(text);
  });

  test("a number's details page shows its last scrape's failure and reason", async () => {
    const failing = "+919812345678";
    simulator.setFault(failing, { name: "forbidden" });
    try {
      await fetch(`${server.url}/metrics`);
      const query = `account=demo&number=${encodeURIComponent(failing)}`;
      const page = await (await fetch(`${server.url}/debug?${query}`)).text();
      const outcome = /<table id="outcome">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? "";

      expect(outcome).toMatch(/<th>Result<\/th>\s*<td>failed<\/td>/);
      expect(outcome).toMatch(/<th>Reason<\/th>\s*<td>auth<\/td>/);
    } finally {
      simulator.setFault(failing, undefined);
    }
  });

  test("the landing page names the exporter, its version and every number", async () => {
    await fetch(`${server.url}/metrics`);
    const response = await fetch(`${server.url}/`);
    const page = await response.text();

    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page).toContain("Vobiz exporter");
    expect(page).toContain("1.2.3");
    expect(page).toContain('href="metrics"');
    for (const target of exporter.targets) expect(page).toContain(target.number);
  });
});

describe("wantsOpenMetrics", () => {
  test.each([
    [undefined, false],
    ["text/plain", false],
    ["application/openmetrics-text; version=1.0.0", true],
    [PROMETHEUS_ACCEPT, true],
    ["application/openmetrics-text;q=0", false],
    ["text/plain, application/openmetrics-text;q=0.5", false],
  ])("%s → %s", (accept, expected) => {
    expect(wantsOpenMetrics(accept)).toBe(expected);
  });
});

describe("parseListenAddress", () => {
  test.each([
    [":9817", { port: 9817 }],
    ["127.0.0.1:9817", { host: "127.0.0.1", port: 9817 }],
    ["[::1]:9817", { host: "::1", port: 9817 }],
  ])("reads %s", (address, expected) => {
    expect(parseListenAddress(address)).toEqual(expected);
  });

  test.each(["9817", "host:", ":99999"])("rejects %s and names it", (address) => {
    expect(() => parseListenAddress(address)).toThrow(address);
  });
});
