import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** A child process whose output is kept for assertions and failure messages. */
export interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts a program and keeps its standard output and error. */
export function startChild(
  command: string,
  args: readonly string[],
  env = process.env,
): Child {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));

  return {
    process: child,
    output: () => output,
    stop: async (graceMs = 5_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      return child.exitCode;
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 30_000,
  intervalMs = 250,
): Promise<T> {
  const until = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`, { cause: lastError });
}

/** True once `url` answers 200. */
export async function isUp(url: string): Promise<true | undefined> {
  const response = await fetch(url).catch(() => undefined);
  return response?.ok ? true : undefined;
}

/** A running `vobiz-exporter demo` process and where it serves. */
export interface DemoProcess {
  readonly child: Child;
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
}

/** Starts the built binary's demo on a free loopback port and waits until it is ready. */
export async function startDemo(): Promise<DemoProcess> {
  const address = `127.0.0.1:${await freePort()}`;
  const main = new URL("../../dist/main.js", import.meta.url).pathname;
  const child = startChild(process.execPath, [
    main,
    "demo",
    `--web.listen-address=${address}`,
  ]);
  const url = `http://${address}`;

  await waitFor("the demo exporter to be ready", () => isUp(`${url}/-/ready`)).catch(
    async (error: unknown) => {
      await child.stop();
      throw new Error(`the demo did not start:\n${child.output()}`, { cause: error });
    },
  );
  return { child, address, url };
}
