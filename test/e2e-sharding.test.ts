import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";

import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { freePort, isUp, startChild, waitFor, type Child } from "./helpers/processes.js";
import { startPrometheus, type RunningPrometheus } from "./helpers/prometheus.js";
import { findTool } from "./helpers/tools.js";

const ROOT = resolve(import.meta.dirname, "..");
const DISCOVERED = 24;
const CONFIGURED = "+919876543210";
const prometheusBinary = findTool("prometheus");

interface ScrapeConfig {
  job_name: string;
  http_sd_configs?: { url: string; refresh_interval?: string }[];
  [key: string]: unknown;
}

/** The committed sharded configuration, pointed at the test's replicas and sped up. */
async function shardedScrapeConfigs(ports: readonly number[]): Promise<ScrapeConfig[]> {
  const text = await readFile(join(ROOT, "prometheus/prometheus-sharded.yml"), "utf8");
  const config = parse(text) as { scrape_configs: ScrapeConfig[] };
  return config.scrape_configs.map((job) => ({
    ...job,
    scrape_interval: "1s",
    scrape_timeout: "1s",
    http_sd_configs: job.http_sd_configs?.map((sd) => ({
      url: sd.url.replace(
        /vobiz-exporter-(\d+):9817/,
        (_all, i: string) => `127.0.0.1:${ports[Number(i)]}`,
      ),
      refresh_interval: "1s",
    })),
  }));
}

interface ActiveTarget {
  scrapePool: string;
  labels: Record<string, string>;
  health: string;
}

describe.skipIf(prometheusBinary === undefined)(
  "Prometheus sharding numbers over two exporter replicas through /sd and /probe",
  () => {
    let simulator: RunningSimulator;
    const exporters: Child[] = [];
    let prometheus: RunningPrometheus;
    let dir: string;
    const total = DISCOVERED + 1;

    beforeAll(async () => {
      simulator = await startSimulator({
        accounts: [
          {
            authId: "MA_SHARD000",
            authToken: "shard-token",
            numbers: Array.from({ length: DISCOVERED }, (_, i) => ({
              e164: `+91${7_800_000_000 + i}`,
              ...(i % 3 === 0 ? { ownerAuthId: "SA_SHARD001" } : {}),
            })),
          },
          {
            authId: "MA_DEMO0000",
            authToken: "demo-token",
            numbers: [{ e164: CONFIGURED }],
          },
        ],
      });
      dir = await mkdtemp(join(tmpdir(), "vobiz-shard-"));
      const configFile = join(dir, "exporter.yml");
      await writeFile(
        configFile,
        stringify({
          api: { base_url: simulator.url },
          accounts: [
            {
              name: "shard",
              auth_id: "MA_SHARD000",
              auth_token: "shard-token",
              discover: { enabled: true },
            },
            {
              name: "demo",
              auth_id: "MA_DEMO0000",
              auth_token: "demo-token",
              numbers: [{ number: CONFIGURED, labels: { team: "sales" } }],
            },
          ],
        }),
      );

      const ports = [await freePort(), await freePort()];
      for (const port of ports) {
        exporters.push(
          startChild(process.execPath, [
            join(ROOT, "dist/main.js"),
            `--config.file=${configFile}`,
            `--web.listen-address=127.0.0.1:${port}`,
          ]),
        );
        await waitFor("an exporter replica", () =>
          isUp(`http://127.0.0.1:${port}/-/ready`),
        );
      }

      prometheus = await startPrometheus(prometheusBinary!, {
        scrapeConfigs: await shardedScrapeConfigs(ports),
      });
      await waitFor(
        "every number to be scraped",
        async () => {
          const up = await prometheus.query('up{job="vobiz"}');
          return up.length === total && up.every((s) => s.value === 1) ? true : undefined;
        },
        60_000,
      );
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      for (const exporter of exporters) await exporter.stop();
      await simulator?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("every number is one target, up, in exactly one shard, and both shards work", async () => {
      const response = await fetch(`${prometheus.url}/api/v1/targets?state=active`);
      const { data } = (await response.json()) as {
        data: { activeTargets: ActiveTarget[] };
      };
      const targets = data.activeTargets;

      const numbers = targets.map((t) => `${t.labels.account}/${t.labels.number}`);
      expect(new Set(numbers).size).toBe(total);
      expect(numbers).toHaveLength(total);
      expect(targets.every((t) => t.health === "up")).toBe(true);

      const pools = new Map<string, number>();
      for (const t of targets)
        pools.set(t.scrapePool, (pools.get(t.scrapePool) ?? 0) + 1);
      expect([...pools.keys()].sort()).toEqual(["vobiz-shard-0", "vobiz-shard-1"]);
      expect([...pools.values()].every((count) => count > 0)).toBe(true);
    });

    test("each number's series come from one replica, without exported_ labels", async () => {
      const samples = await prometheus.query("vobiz_number_up");
      const numbers = samples.map((s) => s.metric.number);

      expect(new Set(numbers).size).toBe(total);
      expect(samples).toHaveLength(total);
      expect(samples.every((s) => s.value === 1)).toBe(true);
      expect(
        samples.some((s) => Object.keys(s.metric).some((k) => k.startsWith("exported_"))),
      ).toBe(false);
      const sales = samples.find((s) => s.metric.number === CONFIGURED);
      expect(sales?.metric).toMatchObject({
        job: "vobiz",
        account: "demo",
        team: "sales",
        instance: `demo/${CONFIGURED}`,
      });
      expect(samples.filter((s) => s.metric.owner === "SA_SHARD001")).toHaveLength(
        DISCOVERED / 3,
      );
    });
  },
);
