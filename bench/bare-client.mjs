// The least a Node.js client can do for a cold scrape: undici's dispatch API and
// JSON.parse for every number's health, `concurrency` requests in flight, nothing else
// (no validation, retries, cache, metrics or exposition). `npm run bench` runs it in
// its own process against the same simulator, as the reference for the exporter's
// cold scrape time and CPU per number. Prints one JSON object.
// Usage: node bench/bare-client.mjs --origin URL --numbers N --runs R --concurrency C
//        [--warm-ups W]
import { Buffer } from "node:buffer";
import console from "node:console";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { parseArgs } from "node:util";

import { Agent } from "undici";

import { median } from "./lib/report.mjs";

const { values: flags } = parseArgs({
  options: {
    origin: { type: "string" },
    numbers: { type: "string" },
    runs: { type: "string", default: "5" },
    concurrency: { type: "string", default: "64" },
    "warm-ups": { type: "string", default: "2" },
  },
});
const NUMBERS = Number(flags.numbers);
const RUNS = Number(flags.runs);
const CONCURRENCY = Number(flags.concurrency);
// The simulator's generated bench account, as bench/run.mjs configures the exporter.
const AUTH_ID = "MA_BENCH000";
const HEADERS = { "x-auth-id": AUTH_ID, "x-auth-token": `sim-token-${AUTH_ID}` };

const agent = new Agent({ connections: 256 });
const paths = Array.from({ length: NUMBERS }, (_, i) => {
  const number = encodeURIComponent(`+91${7e9 + i}`);
  return `/api/v1/account/${AUTH_ID}/numbers/${number}/health?granularity=daily&days=30`;
});

// As the exporter's cold runs: unmeasured scrapes warm the JIT and the connection pool.
for (let i = 0; i < Number(flags["warm-ups"]); i += 1) await scrape();
const cpuBefore = process.cpuUsage();
const times = [];
for (let i = 0; i < RUNS; i += 1) {
  const started = performance.now();
  await scrape();
  times.push(performance.now() - started);
}
const cpu = process.cpuUsage(cpuBefore);
await agent.close();

console.log(
  JSON.stringify({
    timesMs: times,
    medianMs: median(times),
    cpuMsPerNumber: (cpu.user + cpu.system) / 1000 / (RUNS * NUMBERS),
  }),
);

/** Every number once, `CONCURRENCY` workers taking them in turn. */
async function scrape() {
  let next = 0;
  const work = async () => {
    while (next < NUMBERS) {
      const health = await getJson(paths[next++]);
      if (typeof health.summary !== "object") throw new Error("not a health answer");
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
}

function getJson(path) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let status = 0;
    agent.dispatch(
      { origin: flags.origin, path, method: "GET", headers: HEADERS },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          const body = Buffer.concat(chunks).toString();
          if (status !== 200) reject(new Error(`${path} answered ${status}: ${body}`));
          else resolve(JSON.parse(body));
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      },
    );
  });
}
