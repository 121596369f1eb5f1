import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
import { startPrometheus, type RunningPrometheus } from "./helpers/prometheus.js";
import { findTool } from "./helpers/tools.js";

const UNKNOWN = "+919000000001";
const prometheusBinary = findTool("prometheus");

describe.skipIf(prometheusBinary === undefined)(
  "Prometheus scraping the exporter",
  () => {
    let simulator: RunningSimulator;
    let exporter: Child;
    let prometheus: RunningPrometheus;
    let dir: string;

    beforeAll(async () => {
      simulator = await startSimulator();
      dir = await mkdtemp(join(tmpdir(), "vobiz-e2e-"));
      const configFile = join(dir, "exporter.yml");
      await writeFile(
        configFile,
        stringify({
          api: { base_url: simulator.url },
          cache: { ttl: "0s" },
          accounts: [
            {
              name: "demo",
              auth_id: "${E2E_AUTH_ID}",
              auth_token: "${E2E_AUTH_TOKEN}",
              numbers: [...demoAccount().numbers.map((n) => n.e164), UNKNOWN],
            },
          ],
        }),
      );

      const port = await freePort();
      exporter = startChild(
        process.execPath,
        [
          "dist/main.js",
          `--config.file=${configFile}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { ...process.env, E2E_AUTH_ID: DEMO_AUTH_ID, E2E_AUTH_TOKEN: DEMO_AUTH_TOKEN },
      );
      await waitFor("the exporter to be ready", () =>
        isUp(`http://127.0.0.1:${port}/-/ready`),
      );

      prometheus = await startPrometheus(prometheusBinary!, {
        scrapeConfigs: [
          {
            job_name: "vobiz",
            scrape_interval: "1s",
            scrape_timeout: "1s",
            static_configs: [{ targets: [`127.0.0.1:${port}`] }],
          },
        ],
      });
      await waitFor("two scrapes", async () => {
        const [scrapes] = await prometheus.query(
          'count_over_time(vobiz_number_up{number="+919876543210"}[5m])',
        );
        return scrapes !== undefined && scrapes.value >= 2 ? true : undefined;
      });
    }, 90_000);

    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.stop();
      await simulator?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("the exporter target is up", async () => {
      const [up] = await prometheus.query('up{job="vobiz"}');
      expect(up?.value).toBe(1);
    });

    test("every simulated number is up, and the unknown one is down", async () => {
      const samples = await prometheus.query('vobiz_number_up{job="vobiz"}');
      const byNumber = Object.fromEntries(samples.map((s) => [s.metric.number, s.value]));

      const expected = Object.fromEntries(demoAccount().numbers.map((n) => [n.e164, 1]));
      expect(byNumber).toEqual({ ...expected, [UNKNOWN]: 0 });
    });

    test("the unknown number is counted as not_found", async () => {
      const [errors] = await prometheus.query(
        `vobiz_number_scrape_errors_total{number="${UNKNOWN}",reason="not_found"}`,
      );
      expect(errors?.value).toBeGreaterThanOrEqual(2);
    });

    test("answer ratios match the simulator's figures", async () => {
      const samples = await prometheus.query("vobiz_number_answer_ratio");
      const now = new Date();

      const expected = demoAccount()
        .numbers.map((n) => ({
          n,
          body: healthBody(n, { granularity: "daily", days: 30 }, now),
        }))
        .filter(({ body }) => body.summary.total_calls > 0);
      expect(samples).toHaveLength(expected.length);
      for (const { n, body } of expected) {
        const sample = samples.find((s) => s.metric.number === n.e164);
        expect(sample?.value).toBeCloseTo(
          body.summary.answered_calls / body.summary.total_calls,
          2,
        );
      }
    });

    test("the exporter logged no secret", () => {
      expect(exporter.output()).not.toContain(DEMO_AUTH_TOKEN);
    });
  },
);
