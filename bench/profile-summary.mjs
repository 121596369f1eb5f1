// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time per function.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [top]
import console from "node:console";
import { readFile } from "node:fs/promises";
import process from "node:process";

const [file, top = "30"] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: node bench/profile-summary.mjs FILE.cpuprofile [top]");
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, "utf8"));

// Self time of a node: its sample count times the mean interval between samples.
const intervalMs = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

const byFunction = new Map();
const byFile = new Map();
let totalMs = 0;
for (const node of profile.nodes) {
  const ms = (hits.get(node.id) ?? 0) * intervalMs;
  if (ms === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    .replace(/^.*\/(node_modules|dist)\//, "$1/")
    .replace(/^file:\/\//, "");
  const key = `${functionName || "(anonymous)"}  ${where}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  const file =
    where.replace(/^(node_modules\/(@[^/]+\/)?[^/]+)\/.*$/, "$1") || "(native)";
  byFile.set(file, (byFile.get(file) ?? 0) + ms);
  totalMs += ms;
}

const idle = ["(idle)", "(program)", "(garbage collector)"];
const busyMs = [...byFunction]
  .filter(([key]) => !idle.some((name) => key.startsWith(name)))
  .reduce((sum, [, ms]) => sum + ms, 0);
console.log(`${file}: ${totalMs.toFixed(0)} ms sampled, ${busyMs.toFixed(0)} ms in JS`);
for (const [key, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, +top)) {
  console.log(
    `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${key}`,
  );
}

console.log("\nself time by file or package:");
for (const [key, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, +top)) {
  console.log(
    `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${key}`,
  );
}
