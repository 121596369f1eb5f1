import { once } from "node:events";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { stringify } from "yaml";

import { backfill, type BackfillFlags } from "../src/commands/backfill.js";
import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  generatedAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { startChild } from "./helpers/processes.js";

const ROOT = resolve(import.meta.dirname, "..");
const NUMBERS = demoAccount().numbers.map((n) => n.e164);
const MANY = 1_500;

let simulator: RunningSimulator;
let dir: string;
let configFile: string;
let manyConfigFile: string;

beforeAll(async () => {
  const many = generatedAccount(MANY);
  simulator = await startSimulator({ accounts: [demoAccount(), many] });
  dir = await mkdtemp(join(tmpdir(), "vobiz-backfill-checks-"));
  configFile = join(dir, "exporter.yml");
  const account = {
    name: "demo",
    auth_id: DEMO_AUTH_ID,
    auth_token: DEMO_AUTH_TOKEN,
    numbers: NUMBERS,
  };
  await writeFile(
    configFile,
    stringify({ api: { base_url: simulator.url }, accounts: [account] }),
  );
  manyConfigFile = join(dir, "many.yml");
  await writeFile(
    manyConfigFile,
    stringify({
      api: { base_url: simulator.url, max_concurrency: 64 },
      accounts: [
        { auth_id: many.authId, auth_token: many.authToken, discover: { enabled: true } },
      ],
    }),
  );
});

afterAll(async () => {
  await simulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  simulator.setFault("*", undefined);
  simulator.resetRequests();
});

/** Runs the real binary; resolves to its exit code and everything it printed. */
async function runBinary(args: readonly string[]) {
  const child = startChild(process.execPath, [
    join(ROOT, "dist/main.js"),
    "backfill",
    ...args,
  ]);
  const [status] = (await once(child.process, "exit")) as [number | null];
  return { status, output: child.output() };
}

/** Runs the command in-process; resolves to its exit code and its standard error. */
async function runInProcess(flags: Partial<BackfillFlags>) {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const status = await backfill(
    { configFile, days: 7, out: join(dir, "history.om"), ...flags },
    stderr,
  );
  return { status, stderr: text };
}

describe("backfill flags", () => {
  test.each([
    ["--days=400", "--days", "400"],
    ["--days=0", "--days", "0"],
    ["--days=2.5", "--days", "2.5"],
    ["--granularity=weekly", "--granularity", "weekly"],
  ])(
    "%s exits 1 naming the flag and its range, before any request",
    async (flag, name) => {
      const out = join(dir, "refused.om");
      const args = ["--days=7", flag, `--out=${out}`, `--config.file=${configFile}`];

      const { status, output } = await runBinary(args);

      expect(status).toBe(1);
      expect(output).toContain(name);
      expect(output).toMatch(name === "--days" ? /1 to 366/ : /daily, hourly/);
      expect(simulator.requests).toHaveLength(0);
      await expect(readdir(dir)).resolves.not.toContain("refused.om");
    },
  );

  test("the command function refuses days outside 1 to 366 itself", async () => {
    const { status, stderr } = await runInProcess({ days: 400 });

    expect(status).toBe(1);
    expect(stderr).toBe(
      "backfill: --days must be a whole number from 1 to 366 (got 400)\n",
    );
    expect(simulator.requests).toHaveLength(0);
  });
});

describe("backfill output location", () => {
  test("an output in a missing directory fails at once, naming the path", async () => {
    const out = join(dir, "missing", "h.om");

    const { status, output } = await runBinary([
      "--days=7",
      `--out=${out}`,
      `--config.file=${configFile}`,
    ]);

    expect(status).toBe(1);
    expect(output).toContain(`backfill: cannot write ${out}: ENOENT`);
    expect(simulator.requests).toHaveLength(0);
  });

  test("an output that is a directory fails at once, naming it", async () => {
    const { status, stderr } = await runInProcess({ out: dir });

    expect(status).toBe(1);
    expect(stderr).toBe(`backfill: cannot write ${dir}: it is a directory\n`);
    expect(simulator.requests).toHaveLength(0);
  });
});

describe("backfill failures", () => {
  test("when every number fails, exits 1, writes nothing and keeps the previous file", async () => {
    const out = join(dir, "previous.om");
    await writeFile(out, "previous run\n");
    simulator.setFault("*", { name: "forbidden" });

    const { status, stderr } = await runInProcess({ out });

    expect(status).toBe(1);
    expect(stderr).toContain(
      `backfill: every read failed (${NUMBERS.length} failure(s)); nothing written to ${out}\n`,
    );
    await expect(readFile(out, "utf8")).resolves.toBe("previous run\n");
    await expect(readdir(dir)).resolves.not.toContain("previous.om.tmp");
  });

  test("prints Vobiz's own message and api_id for a failed number", async () => {
    const [first] = NUMBERS;
    simulator.setFault(first!, { name: "forbidden" });

    const { status, stderr } = await runInProcess({});

    expect(status).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^backfill: demo \\${first}: auth: Vobiz answered HTTP 403: ` +
          `access to this number is denied \\(api_id [0-9a-f-]{36}\\)$`,
        "m",
      ),
    );
    expect(stderr).toMatch(/wrote \d+ samples of \d+ numbers/);
    expect(stderr).toContain("1 failure(s); the file holds the rest");
  });
});

describe("backfill progress", () => {
  test(`reports ${MANY} numbers in at most a line a second, and the total`, async () => {
    const started = Date.now();

    const { status, stderr } = await runInProcess({
      configFile: manyConfigFile,
      days: 1,
      granularity: "hourly",
    });

    const seconds = (Date.now() - started) / 1000;
    const progress = stderr.split("\n").filter((l) => l.startsWith("backfill: read "));
    expect(status).toBe(0);
    expect(progress.at(-1)).toBe(`backfill: read ${MANY}/${MANY} numbers`);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
  });
});
