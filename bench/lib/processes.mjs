import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import process from "node:process";
import { clearTimeout, setTimeout } from "node:timers";

import { fetch } from "undici";

/** A loopback port that was free a moment ago. */
export async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Starts `node dist/main.js …args` and keeps the tail of its output for error messages.
 * `stop()` sends SIGTERM (so that `--cpu-prof` is written) and waits for the exit.
 */
export function startNode(nodeArgs, args) {
  const child = spawn(process.execPath, [...nodeArgs, "dist/main.js", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk) => (tail = (tail + chunk.toString("utf8")).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);

  return {
    pid: child.pid,
    output: () => tail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `url` answers at all, or fails after `ms` with the child's output. */
export async function waitUntilUp(url, child, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const response = await fetch(url).catch(() => undefined);
    if (response !== undefined) {
      await response.arrayBuffer();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up within ${ms} ms:\n${child.output()}`);
}

/** CPU seconds (user + system) a process has used so far; Linux only, else NaN. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
