// Proves the shipped observability assets against the real tools: the exporter in demo
// mode, Debian's Prometheus loading prometheus/alerts.yml (with every `for:` cut to
// 0s), and Alertmanager running the shipped routing with its webhooks pointed at a
// recorder in this test. Every panel query of grafana-dashboard.json must return data.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";

import {
  freePort,
  isUp,
  startChild,
  startDemo,
  waitFor,
  type Child,
  type DemoProcess,
} from "./helpers/processes.js";
import { readRules, readRulesFile } from "./helpers/alert-rules.js";
import { startPrometheus, type RunningPrometheus } from "./helpers/prometheus.js";
import { findTool } from "./helpers/tools.js";

const ROOT = resolve(import.meta.dirname, "..");
const prometheusBinary = findTool("prometheus");
const alertmanagerBinary = findTool("prometheus-alertmanager");

const SPAM = "+919900112233";
const BLOCKED = "+919988776655";
const LOW_ANSWER = "+918041234567";
const HEALTHY = ["+919876543210", "+919812345678"];

/** The range that stands in for Grafana's `$__rate_interval`, `$__interval`, `$__range`. */
const GRAFANA_RANGE = "1m";

/** An alert as Alertmanager's `GET /api/v2/alerts` returns it. */
interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  receivers: { name: string }[];
}

/** One POST from Alertmanager's webhook integration, by receiver path. */
interface Delivery {
  receiver: string;
  alerts: { labels: Record<string, string> }[];
}

interface DashboardPanel {
  title: string;
  type: string;
  targets?: { expr: string; refId?: string }[];
  panels?: DashboardPanel[];
}

interface PanelQuery {
  readonly title: string;
  readonly refId: string;
  readonly expr: string;
}

function readText(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

const rules = readRules();

/** Every `targets[].expr` of the dashboard, panels inside rows included. */
function dashboardQueries(): PanelQuery[] {
  const board = JSON.parse(readText("grafana-dashboard.json")) as {
    panels: DashboardPanel[];
  };
  const walk = (panels: DashboardPanel[]): PanelQuery[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).map((t, i) => ({
        title: panel.title,
        refId: t.refId ?? String(i),
        expr: t.expr,
      })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(board.panels);
}

/**
 * A dashboard expression as Grafana would send it with every variable on All: job
 * `vobiz`, account and number `.*`, and one minute for the interval macros.
 */
function substituteVariables(expr: string): string {
  const values: Record<string, string> = {
    job: "vobiz",
    account: ".*",
    number: ".*",
    __rate_interval: GRAFANA_RANGE,
    __interval: GRAFANA_RANGE,
    __range: GRAFANA_RANGE,
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const value = values[braced ?? bare ?? ""];
    if (value === undefined) throw new Error(`unknown dashboard variable ${whole}`);
    return value;
  });
}

/** prometheus/alerts.yml with every `for:` set to 0s, so that alerts fire at once. */
function immediateRules(): string {
  const file = readRulesFile();
  for (const rule of file.groups.flatMap((g) => g.rules)) rule.for = "0s";
  return stringify(file);
}

/**
 * prometheus/alertmanager.yml with its routing and inhibitions kept, each webhook
 * pointed at `webhookUrl/<receiver>` and a group wait short enough for a test.
 */
function testAlertmanagerConfig(webhookUrl: string): string {
  const config = parse(readText("prometheus/alertmanager.yml")) as {
    route: Record<string, unknown>;
    receivers: { name: string; webhook_configs?: { url: string }[] }[];
  };
  config.route.group_wait = "0s";
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook.url = `${webhookUrl}/${receiver.name}`;
    }
  }
  return stringify(config);
}

/** An HTTP server that records every webhook delivery Alertmanager posts to it. */
async function startWebhookRecorder(): Promise<{
  url: string;
  deliveries: Delivery[];
  server: Server;
}> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const parsed = JSON.parse(body) as { alerts: Delivery["alerts"] };
      deliveries.push({ receiver: (request.url ?? "").slice(1), alerts: parsed.alerts });
      response.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, deliveries, server };
}

/** The exporter's error and warning log lines, to explain an unexpected alert. */
function exporterErrors(child: Child): string {
  const lines = child.output().split("\n");
  return lines.filter((line) => /"level":"(error|warn)"/.test(line)).join("\n");
}

/** Alertmanager on a free loopback port, clustering off, with temporary storage. */
async function startAlertmanager(
  binary: string,
  dir: string,
  config: string,
): Promise<{ child: Child; url: string }> {
  const configFile = join(dir, "alertmanager.yml");
  await writeFile(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(binary, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, "alertmanager")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--cluster.listen-address=",
  ]);
  await waitFor("alertmanager to be ready", () => isUp(`${url}/-/ready`)).catch(
    (error: unknown) => {
      throw new Error(`alertmanager did not start:\n${child.output()}`, {
        cause: error,
      });
    },
  );
  return { child, url };
}

describe.skipIf(prometheusBinary === undefined || alertmanagerBinary === undefined)(
  "dashboard and alerts against the demo exporter",
  () => {
    let dir: string;
    let demo: DemoProcess;
    let webhook: Awaited<ReturnType<typeof startWebhookRecorder>>;
    let alertmanager: { child: Child; url: string };
    let prometheus: RunningPrometheus;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "vobiz-observability-"));
      const rulesFile = join(dir, "alerts.yml");
      await writeFile(rulesFile, immediateRules());

      // The first read of each number is cold, and Prometheus's 1s scrape timeout
      // leaves the exporter a 0.5s deadline: on a busy machine a few numbers can miss
      // it, which `for: 0s` would turn into VobizNumberScrapeFailing. One read first
      // fills the cache (60s), so every scrape in this suite is served from it.
      demo = await startDemo();
      const warm = await fetch(`http://${demo.address}/metrics`);
      expect(warm.status).toBe(200);
      webhook = await startWebhookRecorder();
      alertmanager = await startAlertmanager(
        alertmanagerBinary!,
        dir,
        testAlertmanagerConfig(webhook.url),
      );
      prometheus = await startPrometheus(prometheusBinary!, {
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrapeConfigs: [
          {
            job_name: "vobiz",
            scrape_interval: "1s",
            scrape_timeout: "1s",
            static_configs: [{ targets: [demo.address] }],
          },
        ],
        ruleFiles: [rulesFile],
        alertmanager: alertmanager.url.replace("http://", ""),
        // scrape_timeout_seconds, which the Scrape duration panel plots; the compose
        // demo's Prometheus enables it too.
        flags: ["--enable-feature=extra-scrape-metrics"],
      });

      await waitFor("two scrapes of the exporter", async () => {
        const [scrapes] = await prometheus.query('count_over_time(up{job="vobiz"}[5m])');
        return scrapes !== undefined && scrapes.value >= 2 ? true : undefined;
      });
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      await alertmanager?.child.stop();
      await demo?.child.stop();
      webhook?.server.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("every dashboard panel query parses and returns data", async () => {
      const queries = dashboardQueries();
      expect(queries.length).toBeGreaterThan(20);

      const failures: string[] = [];
      for (const { title, refId, expr } of queries) {
        try {
          const samples = await prometheus.query(substituteVariables(expr));
          if (samples.length === 0) failures.push(`${title} [${refId}]: no data`);
        } catch (error) {
          failures.push(`${title} [${refId}]: ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });

    describe("alerts read back from Alertmanager", () => {
      let alerts: AmAlert[];

      beforeAll(async () => {
        alerts = await waitFor(
          "the spam and blocked alerts in Alertmanager",
          async () => {
            const response = await fetch(`${alertmanager.url}/api/v2/alerts`);
            const body = (await response.json()) as AmAlert[];
            const names = new Set(body.map((a) => a.labels.alertname));
            return names.has("VobizNumberFlaggedSpam") && names.has("VobizNumberBlocked")
              ? body
              : undefined;
          },
          60_000,
        );
      }, 90_000);

      test.each([
        ["VobizNumberFlaggedSpam", SPAM],
        ["VobizNumberBlocked", BLOCKED],
        ["VobizNumberLowAnswerRatio", LOW_ANSWER],
      ])(
        "%s fires for %s with the rule's labels and templated annotations",
        (name, number) => {
          const rule = rules.find((r) => r.alert === name);
          const alert = alerts.find((a) => a.labels.alertname === name);

          expect(alert?.status.state).toBe("active");
          expect(alert?.labels).toMatchObject({
            alertname: name,
            severity: rule?.labels?.severity,
            account: "demo",
            number,
            job: "vobiz",
          });
          expect(alert?.annotations.summary).toBe(rule?.annotations?.summary);
          expect(alert?.annotations.description).toContain(number);
          expect(alert?.annotations.description).toContain("account demo");
          expect(alert?.annotations.description).not.toContain("{{");
          expect(alert?.annotations.runbook_url).toBe(rule?.annotations?.runbook_url);
        },
      );

      test("the spam and blocked numbers page; no other number alert fires", () => {
        const firing = alerts
          .filter((a) => a.labels.number !== undefined)
          .map((a) => `${a.labels.alertname} ${a.labels.number} ${a.labels.severity}`)
          .sort();
        expect(firing, exporterErrors(demo.child)).toEqual([
          `VobizNumberBlocked ${BLOCKED} critical`,
          `VobizNumberFlaggedSpam ${SPAM} critical`,
          `VobizNumberLowAnswerRatio ${LOW_ANSWER} warning`,
        ]);
      });

      test.each(HEALTHY)("no alert fires for the healthy number %s", (number) => {
        expect(alerts.filter((a) => a.labels.number === number)).toEqual([]);
      });

      test("the shipped routing delivers critical alerts to pager, warnings to tickets", async () => {
        const delivered = await waitFor("three webhook deliveries", async () => {
          const seen = webhook.deliveries.flatMap((d) =>
            d.alerts
              .filter((a) => a.labels.number !== undefined)
              .map((a) => `${d.receiver} ${a.labels.alertname}`),
          );
          return seen.length >= 3 ? seen.sort() : undefined;
        });
        expect(delivered).toEqual([
          "pager VobizNumberBlocked",
          "pager VobizNumberFlaggedSpam",
          "tickets VobizNumberLowAnswerRatio",
        ]);
      });
    });
  },
);
