// Scrape cost against the physical floor: cold and warm scrape time, exporter CPU per
// number, RSS and upstream requests per number. Run with `npm run bench`; flags:
// --numbers 100,1000,10000  --runs 9  --concurrency 64  --latency 20  --profile
// --node-args="--max-old-space-size=384" (Node.js flags for the exporter process)
import { Buffer } from "node:buffer";
import { execFile } from "node:child_process";
import console from "node:console";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { parseArgs, promisify } from "node:util";

import { request } from "undici";

import { bareRegistry, findValue, parseSamples, sumValues } from "./lib/exposition.mjs";
import { cpuSecondsOf, freePort, startNode, waitUntilUp } from "./lib/processes.mjs";
import { median, table } from "./lib/report.mjs";

const execFileAsync = promisify(execFile);
const { values: flags } = parseArgs({
  options: {
    numbers: { type: "string", default: "100,1000,10000" },
    runs: { type: "string", default: "9" },
    concurrency: { type: "string", default: "64" },
    latency: { type: "string", default: "20" },
    profile: { type: "boolean", default: false },
    "node-args": { type: "string", default: "" },
  },
});
const SIZES = flags.numbers.split(",").map(Number);
const RUNS = Number(flags.runs);
const CONCURRENCY = Number(flags.concurrency);
const LATENCY_MS = Number(flags.latency);
const CONCURRENT_SCRAPES = 10;
// Unmeasured scrapes before the timed ones: at least two, and enough to read this many
// numbers, so that small sizes are measured with their code optimised as large ones.
const WARM_UP_NUMBERS = 5_000;
const PROFILE_DIR = "bench/results/profiles";
// Generous on purpose: neither the scrape deadline nor a request timeout may cut work.
const SCRAPE_HEADERS = { "x-prometheus-scrape-timeout-seconds": "120" };

const work = await mkdtemp(join(tmpdir(), "vobiz-bench-"));
const simPort = await freePort();
if (flags.profile) await mkdir(PROFILE_DIR, { recursive: true });
const simulator = startNode(flags.profile ? cpuProfileArgs("simulator") : [], [
  "simulate",
  `--listen-address=127.0.0.1:${simPort}`,
  `--latency=${LATENCY_MS}ms`,
  `--numbers=${Math.max(...SIZES)}`,
]);

try {
  await waitUntilUp(`http://127.0.0.1:${simPort}/`, simulator);
  const results = [];
  for (const numbers of SIZES) {
    const cold = await coldRuns(numbers);
    const bareClient = await bareClientRuns(numbers);
    const warm = await warmRuns(numbers);
    const shared = await sharedRuns(numbers);
    const floorMs = Math.ceil(numbers / CONCURRENCY) * LATENCY_MS;
    cold.ratio = cold.medianMs / floorMs;
    bareClient.ratio = bareClient.medianMs / floorMs;
    results.push({ numbers, floorMs, cold, bareClient, warm, shared });
    console.error(`done: ${numbers} numbers`);
  }
  await report(results);
} finally {
  await simulator.stop();
  await rm(work, { recursive: true, force: true });
}

/** Cache off: every scrape reads every number upstream. */
async function coldRuns(numbers) {
  const exporter = await startExporter(numbers, "0s", "cold");
  try {
    // Cold means cache off, not a cold process: unmeasured scrapes warm the JIT and the
    // connection pool.
    let first;
    for (let i = 0; i < warmUps(numbers); i += 1) first = await scrape(exporter.url);
    const simCpuBefore = cpuSecondsOf(simulator.pid);
    const times = [];
    let last = first;
    for (let i = 0; i < RUNS; i += 1) {
      last = await scrape(exporter.url);
      times.push(last.ms);
    }
    const simCpuSeconds = cpuSecondsOf(simulator.pid) - simCpuBefore;
    const cpuSeconds = cpuOf(last) - cpuOf(first);
    return {
      timesMs: times,
      medianMs: median(times),
      cpuMsPerNumber: (cpuSeconds * 1000) / (RUNS * numbers),
      simulatorCpuMsPerNumber: (simCpuSeconds * 1000) / (RUNS * numbers),
      rssBytes: findValue(last.body, "process_resident_memory_bytes"),
      heapUsedBytes: findValue(last.body, "nodejs_heap_size_used_bytes"),
      numbersDown: countDown(last.body),
    };
  } finally {
    await exporter.stop();
  }
}

/** bench/bare-client.mjs in its own process: the least any Node.js client can do. */
async function bareClientRuns(numbers) {
  const script = fileURLToPath(new URL("bare-client.mjs", import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, [
    script,
    `--origin=http://127.0.0.1:${simPort}`,
    `--numbers=${numbers}`,
    `--runs=${RUNS}`,
    `--concurrency=${CONCURRENCY}`,
    `--warm-ups=${warmUps(numbers)}`,
  ]);
  return JSON.parse(stdout);
}

/** Cache on and filled by one scrape: every timed scrape is served from cache. */
async function warmRuns(numbers) {
  const exporter = await startExporter(numbers, "1h", "warm");
  try {
    // The first scrape fills the cache; the others warm the JIT, as for the cold runs.
    let filled;
    for (let i = 0; i < warmUps(numbers); i += 1) filled = await scrape(exporter.url);
    const times = [];
    let last = filled;
    for (let i = 0; i < RUNS; i += 1) {
      last = await scrape(exporter.url);
      times.push(last.ms);
    }
    const bare = await bareTimes(last.body, numbers);
    const medianMs = median(times);
    const cpuSeconds = cpuOf(last) - cpuOf(filled);
    return {
      timesMs: times,
      medianMs,
      bareTimesMs: bare,
      bareMedianMs: median(bare),
      ratio: medianMs / median(bare),
      cpuMsPerNumber: (cpuSeconds * 1000) / (RUNS * numbers),
      requestsDuringRuns: healthRequests(last.body) - healthRequests(filled.body),
      rssBytes: findValue(last.body, "process_resident_memory_bytes"),
      heapUsedBytes: findValue(last.body, "nodejs_heap_size_used_bytes"),
      bytes: Buffer.byteLength(last.body),
      samples: last.body.split("\n").filter((l) => l && !l.startsWith("#")).length,
    };
  } finally {
    await exporter.stop();
  }
}

/**
 * Cache on, in a fresh exporter: scrapes arriving together share one read per number.
 * Its own process, so that the memory of ten whole scrapes at once is reported apart
 * from the steady cold and warm figures.
 */
async function sharedRuns(numbers) {
  const exporter = await startExporter(numbers, "1h", "shared");
  try {
    const started = performance.now();
    const together = await Promise.all(
      Array.from({ length: CONCURRENT_SCRAPES }, () => scrape(exporter.url)),
    );
    const wallMs = performance.now() - started;
    const requests = Math.max(...together.map((s) => healthRequests(s.body)));
    const after = await scrape(exporter.url);
    return {
      scrapes: CONCURRENT_SCRAPES,
      wallMs,
      requestsPerNumber: requests / numbers,
      requestsAfter: healthRequests(after.body) - requests,
      rssBytes: findValue(after.body, "process_resident_memory_bytes"),
    };
  } finally {
    await exporter.stop();
  }
}

/** prom-client alone serialising the same series, in this process. */
async function bareTimes(body, numbers) {
  const registry = bareRegistry(parseSamples(body));
  // As many unmeasured runs as the exporter's warm runs had.
  for (let i = 0; i < warmUps(numbers); i += 1) await registry.metrics();
  const times = [];
  for (let i = 0; i < Math.max(RUNS, 5); i += 1) {
    const started = performance.now();
    await registry.metrics();
    times.push(performance.now() - started);
  }
  return times;
}

function warmUps(numbers) {
  return Math.max(2, Math.ceil(WARM_UP_NUMBERS / numbers));
}

async function startExporter(numbers, ttl, label) {
  const port = await freePort();
  const file = join(work, `exporter-${numbers}-${label}.yml`);
  await writeFile(file, configYaml(numbers, ttl));
  const profile = flags.profile ? cpuProfileArgs(`${label}-${numbers}`) : [];
  const nodeArgs = [...flags["node-args"].split(" ").filter(Boolean), ...profile];
  const child = startNode(nodeArgs, [
    `--config.file=${file}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ]);
  await waitUntilUp(`http://127.0.0.1:${port}/-/healthy`, child);
  return { url: `http://127.0.0.1:${port}/metrics`, stop: child.stop };
}

function cpuProfileArgs(name) {
  return [
    "--cpu-prof",
    `--cpu-prof-dir=${PROFILE_DIR}`,
    `--cpu-prof-name=${name}.cpuprofile`,
  ];
}

function configYaml(numbers, ttl) {
  const list = Array.from({ length: numbers }, (_, i) => `      - "+91${7e9 + i}"`);
  return [
    "api:",
    `  base_url: http://127.0.0.1:${simPort}`,
    "  timeout: 120s",
    `  max_concurrency: ${CONCURRENCY}`,
    "  retries: 0",
    "cache:",
    `  ttl: ${ttl}`,
    "accounts:",
    "  - name: bench",
    "    auth_id: MA_BENCH000",
    "    auth_token: sim-token-MA_BENCH000",
    "    numbers:",
    ...list,
    "",
  ].join("\n");
}

/**
 * One scrape through undici's request(), not fetch(): fetch's web streams added about
 * 2 ms to reading a 1,000-number answer, time spent in this process and not the
 * exporter's. Timed to the answer's last byte, where the exporter's part ends: decoding
 * 2.8 MB into a string took this process another 2 ms, which the timing once included.
 */
async function scrape(url) {
  const started = performance.now();
  const response = await request(url, { headers: SCRAPE_HEADERS });
  const chunks = [];
  for await (const chunk of response.body) chunks.push(chunk);
  const ms = performance.now() - started;
  const body = Buffer.concat(chunks).toString("utf8");
  if (response.statusCode !== 200) {
    throw new Error(`${url} answered ${response.statusCode}: ${body}`);
  }
  return { ms, body };
}

function cpuOf(scraped) {
  return findValue(scraped.body, "process_cpu_seconds_total");
}

function healthRequests(body) {
  return sumValues(body, "vobiz_api_requests_total", 'endpoint="health"');
}

/** Numbers whose `vobiz_number_up` is 0: a cut or failed read would show here. */
function countDown(body) {
  return body
    .split("\n")
    .filter((l) => l.startsWith("vobiz_number_up{") && l.endsWith(" 0")).length;
}

async function report(results) {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadavg: loadavg(),
    node: process.version,
  };
  const params = {
    runs: RUNS,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    exporterNodeArgs: flags["node-args"],
  };
  console.log(table(results));
  console.log(
    `\nload average ${machine.loadavg.map((l) => l.toFixed(2)).join(" ")} on ` +
      `${machine.cpus} CPUs, ${machine.node}; cold: cache off, median of ${RUNS}; ` +
      `floor: ceil(numbers/${CONCURRENCY}) x ${LATENCY_MS} ms, the least any client ` +
      `needs; bare client: bench/bare-client.mjs, only the requests and JSON.parse; ` +
      `warm: cache on, all hits; bare prom-client: a prom-client registry alone ` +
      `serialising the same series; requests/number and RSS concurrent: ` +
      `${CONCURRENT_SCRAPES} concurrent scrapes of a fresh exporter, cache on. ` +
      `docs/performance.md explains every column.`,
  );
  await mkdir("bench/results", { recursive: true });
  const json = { at: new Date().toISOString(), machine, params, results };
  await writeFile("bench/results/latest.json", `${JSON.stringify(json, null, 2)}\n`);

  // Figures from an exporter that failed reads or missed its cache measure nothing.
  const broken = results.flatMap(brokenRuns);
  for (const line of broken) console.error(`bench: ${line}`);
  if (broken.length > 0) process.exitCode = 1;
}

/** What in one size's runs makes its figures meaningless, as lines to print. */
function brokenRuns({ numbers, cold, warm, shared }) {
  const lines = [];
  if (cold.numbersDown > 0) lines.push(`${numbers}: ${cold.numbersDown} numbers down`);
  if (warm.requestsDuringRuns > 0) {
    lines.push(`${numbers}: warm runs made ${warm.requestsDuringRuns} upstream requests`);
  }
  if (shared.requestsPerNumber !== 1 || shared.requestsAfter > 0) {
    lines.push(
      `${numbers}: concurrent scrapes made ${shared.requestsPerNumber} requests per ` +
        `number, and ${shared.requestsAfter} more after them`,
    );
  }
  return lines;
}
