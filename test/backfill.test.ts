import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";

import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  healthBody,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { freePort, isUp, startChild, waitFor, type Child } from "./helpers/processes.js";
import { findTool } from "./helpers/tools.js";

const ROOT = resolve(import.meta.dirname, "..");
const DAY_MS = 86_400_000;
const DAYS = 7;
const SUB = "SA_BACKFILL";
const DISCOVERED = "+917600000001";
const promtool = findTool("promtool");
const prometheus = findTool("prometheus");

let simulator: RunningSimulator;
let dir: string;
let out: string;
let run: { status: number | null; stderr: string };

beforeAll(async () => {
  simulator = await startSimulator({
    accounts: [
      demoAccount(),
      {
        authId: "MA_BACKFILL",
        authToken: "backfill-token",
        numbers: [
          { e164: DISCOVERED, ownerAuthId: SUB },
          { e164: "+917600000002", status: "released" },
        ],
      },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), "vobiz-backfill-"));
  out = join(dir, "history.om");
  const configFile = join(dir, "exporter.yml");
  await writeFile(
    configFile,
    stringify({
      api: { base_url: simulator.url },
      accounts: [
        {
          name: "demo",
          auth_id: DEMO_AUTH_ID,
          auth_token: DEMO_AUTH_TOKEN,
          labels: { env: "demo" },
          numbers: demoAccount().numbers.map((n) => n.e164),
        },
        {
          name: "disc",
          auth_id: "MA_BACKFILL",
          auth_token: "backfill-token",
          discover: { enabled: true },
        },
      ],
    }),
  );

  // The real binary, as a user runs it; spawnSync would block the simulator's loop.
  const child = startChild(process.execPath, [
    join(ROOT, "dist/main.js"),
    "backfill",
    `--days=${DAYS}`,
    `--out=${out}`,
    `--config.file=${configFile}`,
  ]);
  const [status] = (await once(child.process, "exit")) as [number | null];
  run = { status, stderr: child.output() };
}, 60_000);

afterAll(async () => {
  await simulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("vobiz-exporter backfill", () => {
  test("exits 0 and reports its progress on standard error", () => {
    expect(run.stderr).toContain("backfill: read 7/7 numbers");
    expect(run.stderr).toMatch(/backfill: wrote \d+ samples of 7 numbers to /);
    expect(run.status).toBe(0);
  });

  test("writes OpenMetrics with each family together and in time order, ending in # EOF", async () => {
    const text = await readFile(out, "utf8");
    expect(text.endsWith("# EOF\n")).toBe(true);

    const families: string[] = [];
    const times = new Map<string, number[]>();
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
      const name = line.slice(0, line.indexOf("{"));
      if (families.at(-1) !== name) families.push(name);
      const stamp = Number(line.slice(line.lastIndexOf(" ") + 1));
      times.set(name, [...(times.get(name) ?? []), stamp]);
    }
    expect(families).toEqual([
      "vobiz_number_last_period_calls",
      "vobiz_number_last_period_answered_calls",
      "vobiz_number_last_period_failed_calls",
      "vobiz_number_last_period_answer_ratio",
      "vobiz_number_last_period_call_time_seconds",
      "vobiz_number_last_period_start_timestamp_seconds",
    ]);
    for (const stamps of times.values()) {
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      expect(Math.max(...stamps) * 1000).toBeLessThanOrEqual(Date.now());
    }
  });

  test("labels series as /metrics does, a discovered sub-account number with its owner", async () => {
    const text = await readFile(out, "utf8");
    expect(text).toMatch(
      /^vobiz_number_last_period_calls\{account="demo",number="\+919876543210",env="demo",granularity="daily"\} \d+ \d+$/m,
    );
    expect(text).toContain(
      `{account="disc",number="${DISCOVERED}",owner="${SUB}",granularity="daily"}`,
    );
    expect(text).not.toContain("+917600000002");
  });
});

describe.skipIf(promtool === undefined || prometheus === undefined)(
  "backfilled blocks in Prometheus",
  () => {
    let server: Child;
    let url: string;

    beforeAll(async () => {
      const data = join(dir, "data");
      const created = spawnSync(promtool!, [
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        // As the README recipe: a few long blocks rather than one per 2 hours.
        "--max-block-duration=2160h",
        out,
        data,
      ]);
      expect(created.status, created.stderr.toString()).toBe(0);

      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      await writeFile(join(dir, "prometheus.yml"), "scrape_configs: []\n");
      server = startChild(prometheus!, [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${data}`,
        "--storage.tsdb.retention.time=1y",
        `--web.listen-address=127.0.0.1:${port}`,
      ]);
      await waitFor("prometheus to be ready", () => isUp(`${url}/-/ready`));
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
    });

    test("a number's daily calls at a past time equal the simulator's snapshot", async () => {
      // Three days back is complete on every clock, the simulator's and the exporter's.
      const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
      const number = demoAccount().numbers[0]!;
      const snapshot = healthBody(
        number,
        { granularity: "daily", days: 30 },
        new Date(),
      ).snapshots.find((s) => Date.parse(s.ts) === start);
      expect(snapshot).toBeDefined();

      // Stamped at the day's end, when /metrics starts to report it as the last period.
      const at = (start + DAY_MS) / 1000 + 60;
      const query = `vobiz_number_last_period_calls{number="${number.e164}"}`;
      const response = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(query)}&time=${at}`,
      );
      const body = (await response.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };

      expect(body.data.result).toHaveLength(1);
      expect(body.data.result[0]?.metric).toMatchObject({
        account: "demo",
        env: "demo",
        granularity: "daily",
      });
      expect(Number(body.data.result[0]?.value[1])).toBe(snapshot?.total_calls);
    });
  },
);
