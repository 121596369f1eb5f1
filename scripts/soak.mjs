#!/usr/bin/env node
// Soak test: the simulator and the exporter in this process, /metrics scraped 10,000
// times while reloads add and remove numbers every 200 scrapes. Prints RSS and heap
// after warm-up and at the end (after a GC when run with --expose-gc), the series
// count, and whether memory stayed flat within ±10 %. Run with `npm run soak`, which
// builds first; this file imports the compiled code from dist/.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";

import { fetch } from "undici";

import { startExporter } from "../dist/commands/run-exporter.js";
import { loadConfig } from "../dist/config/load.js";
import { createLogger } from "../dist/log.js";
import { generatedAccount, startSimulator } from "../dist/simulator/index.js";

const { values } = parseArgs({
  options: {
    scrapes: { type: "string", default: "10000" },
    "reload-every": { type: "string", default: "200" },
    pool: { type: "string", default: "80" },
    monitored: { type: "string", default: "40" },
    "cache-ttl": { type: "string", default: "500ms" },
  },
});
const SCRAPES = Number(values.scrapes);
const RELOAD_EVERY = Number(values["reload-every"]);
const WARM_UP = Math.min(1000, Math.floor(SCRAPES / 10));
const TOLERANCE = 0.1;

const account = generatedAccount(Number(values.pool));
const pool = account.numbers.map((n) => n.e164);
const size = Number(values.monitored);

/** The configuration for reload `round`: a window of the pool that slides each time. */
function configText(simulatorUrl, round) {
  const start = (round * 7) % pool.length;
  const count = size - (round % 3) * 5;
  const numbers = Array.from(
    { length: count },
    (_, i) => pool[(start + i) % pool.length],
  );
  return [
    `api: { base_url: "${simulatorUrl}", retries: 0 }`,
    `cache: { ttl: ${values["cache-ttl"]} }`,
    "accounts:",
    "  - name: soak",
    `    auth_id: ${account.authId}`,
    `    auth_token: ${account.authToken}`,
    `    labels: { round: "r${round % 4}" }`,
    `    numbers: [${numbers.map((n) => `"${n}"`).join(", ")}]`,
  ].join("\n");
}

function memory() {
  globalThis.gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const change = (before, after) => `${(((after - before) / before) * 100).toFixed(1)} %`;

const dir = await mkdtemp(join(tmpdir(), "vobiz-soak-"));
const file = join(dir, "exporter.yml");
const simulator = await startSimulator({ accounts: [account], recordRequests: false });
await writeFile(file, configText(simulator.url, 0));
const loaded = await loadConfig(file);
if (!loaded.ok) throw new Error("the soak configuration is invalid");

let errorLines = 0;
const sink = new Writable({
  write(chunk, _encoding, done) {
    errorLines += chunk.toString("utf8").split("\n").filter(Boolean).length;
    done();
  },
});
const running = await startExporter(
  loaded.config,
  createLogger("error", sink),
  "127.0.0.1:0",
  {
    load: () => loadConfig(file),
  },
);
const url = running.listening.url;

let failures = 0;
let reloads = 0;
let body = "";
let baseline;
const trend = [];
const TREND_EVERY = Math.max(1, Math.floor(SCRAPES / 10));
const started = Date.now();
for (let i = 1; i <= SCRAPES; i++) {
  const response = await fetch(`${url}/metrics`);
  body = await response.text();
  if (response.status !== 200) failures += 1;

  if (i === WARM_UP) baseline = memory();
  if (i % TREND_EVERY === 0) trend.push(mib(memory().rss));
  if (i % RELOAD_EVERY === 0) {
    await writeFile(file, configText(simulator.url, i / RELOAD_EVERY));
    const reload = await fetch(`${url}/-/reload`, { method: "POST" });
    await reload.text();
    if (reload.status !== 200) failures += 1;
    reloads += 1;
  }
}
const seconds = (Date.now() - started) / 1000;
const end = memory();

const series = body.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
const numberSeries = series.filter((line) => line.startsWith("vobiz_number_")).length;
const flat = Math.abs(end.rss - baseline.rss) / baseline.rss <= TOLERANCE;

const report = [
  `scrapes:            ${SCRAPES} in ${seconds.toFixed(1)} s (${(SCRAPES / seconds).toFixed(0)}/s)`,
  `reloads:            ${reloads}`,
  `failed requests:    ${failures}`,
  `error log lines:    ${errorLines}`,
  `gc before readings: ${globalThis.gc ? "yes" : "no (run with --expose-gc)"}`,
  `rss after warm-up:  ${mib(baseline.rss)} (scrape ${WARM_UP})`,
  `rss at end:         ${mib(end.rss)} (${change(baseline.rss, end.rss)})`,
  `heap after warm-up: ${mib(baseline.heapUsed)}`,
  `heap at end:        ${mib(end.heapUsed)} (${change(baseline.heapUsed, end.heapUsed)})`,
  `external:           ${mib(baseline.external)} -> ${mib(end.external)}`,
  `rss every ${TREND_EVERY} scrapes: ${trend.join(", ")}`,
  `series in last scrape: ${series.length} (${numberSeries} vobiz_number_*)`,
  `memory flat within ±${TOLERANCE * 100} %: ${flat ? "yes" : "NO"}`,
];
process.stdout.write(`${report.join("\n")}\n`);

await running.stop();
await simulator.close();
await rm(dir, { recursive: true, force: true });
process.exitCode = flat && failures === 0 ? 0 : 1;
