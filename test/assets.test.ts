// Checks the assets shipped around the exporter: alert rules and their promtool tests,
// the example Prometheus and Alertmanager configs, the Grafana dashboard, the
// Dockerfile and the compose demo.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { readRules } from "./helpers/alert-rules.js";
import { findTool } from "./helpers/tools.js";

const ROOT = resolve(import.meta.dirname, "..");

// findTool fails the run under CI when a program is missing, and skips otherwise.
const promtool = findTool("promtool") ?? "";
const amtool = findTool("amtool") ?? "";

const RUNBOOK_BASE =
  "https://github.com/vobiz-exporter/vobiz-exporter/blob/main/README.md#";

/**
 * Every metric name the rules and the dashboard may use: the exporter's, from its
 * names module, plus histogram buckets and Prometheus's own per-target series.
 */
const KNOWN_METRICS = new Set([
  ...[...read("src/metrics/names.ts").matchAll(/name: "(vobiz_\w+)"/g)].flatMap((m) => [
    m[1] ?? "",
    `${m[1] ?? ""}_bucket`,
  ]),
  "scrape_duration_seconds",
  "scrape_timeout_seconds",
  "up",
]);

function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

function run(cmd: string, args: string[], cwd = ROOT) {
  const result = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return {
    status: result.status,
    stdout: result.stdout,
    output: `${result.stdout}${result.stderr}`,
  };
}

interface AlertTestCase {
  alertname: string;
  exp_alerts?: unknown[];
}

const rules = readRules();

describe("alert rules", () => {
  test("sit in one group named vobiz", () => {
    const file = parse(read("prometheus/alerts.yml")) as { groups: { name: string }[] };
    expect(file.groups.map((g) => g.name)).toEqual(["vobiz"]);
  });

  test.each(rules.map((r) => [r.alert, r] as const))(
    "%s has a Vobiz name, a severity, a summary, a description and its runbook",
    (name, rule) => {
      expect(name).toMatch(/^Vobiz[A-Z][A-Za-z]+$/);
      expect(["critical", "warning", "info"]).toContain(rule.labels?.severity);
      expect(rule.for).toMatch(/^\d+[smhd]$/);
      expect(rule.annotations?.summary).toMatch(/\.$/);
      expect(rule.annotations?.description).toContain("{{");
      expect(rule.annotations?.runbook_url).toBe(RUNBOOK_BASE + name.toLowerCase());
    },
  );

  test("use only metrics the exporter and Prometheus expose", () => {
    for (const rule of rules) {
      for (const { metric } of selectors(rule.expr)) {
        expect(KNOWN_METRICS, rule.alert).toContain(metric);
      }
    }
  });

  test("per-number alerts name the account and the number in their description", () => {
    const perNumber = rules.filter(
      (r) => /vobiz_number_/.test(r.expr) && !/sum by/.test(r.expr),
    );
    expect(perNumber.length).toBeGreaterThan(5);
    for (const rule of perNumber) {
      expect(rule.annotations?.description, rule.alert).toContain("$labels.number");
      expect(rule.annotations?.description, rule.alert).toContain("$labels.account");
    }
  });

  test("every alert is tested both firing and not firing", () => {
    const file = parse(read("prometheus/alerts.test.yml")) as {
      tests: { alert_rule_test?: AlertTestCase[] }[];
    };
    const cases = file.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of rules) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} firing`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} not firing`,
      ).toBe(true);
    }
  });

  // Every alert's runbook_url points at a README heading (a GitHub anchor).
  test("README has a runbook heading for every alert", () => {
    const anchors = new Set(
      read("README.md")
        .split("\n")
        .filter((line) => /^#{2,6} /.test(line))
        .map((line) => line.replace(/^#+ /, "").trim().toLowerCase()),
    );
    for (const { alert } of rules) expect(anchors, alert).toContain(alert.toLowerCase());
  });
});

describe.skipIf(promtool === "")("promtool", () => {
  test("accepts the rules with every lint fatal", () => {
    const { status, output } = run(promtool, [
      "check",
      "rules",
      "--lint=all",
      "--lint-fatal",
      "prometheus/alerts.yml",
    ]);
    expect(status, output).toBe(0);
  });

  // The weekly-pattern case evaluates a week of rules at one-minute steps.
  test("passes the rule unit tests", { timeout: 180_000 }, () => {
    const { status, output } = run(promtool, [
      "test",
      "rules",
      "prometheus/alerts.test.yml",
    ]);
    expect(status, output).toBe(0);
  });

  test("accepts the example Prometheus configuration and the rules it loads", () => {
    const { status, output } = run(promtool, [
      "check",
      "config",
      "prometheus/prometheus.yml",
    ]);
    expect(status, output).toBe(0);
    expect(output).toContain("SUCCESS: 1 rule files found");
  });

  test("accepts the compose demo's Prometheus configuration", () => {
    const dir = mkdtempSync(join(tmpdir(), "vobiz-compose-"));
    cpSync(join(ROOT, "deploy/compose/prometheus.yml"), join(dir, "prometheus.yml"));
    cpSync(join(ROOT, "prometheus/alerts.yml"), join(dir, "alerts.yml"));
    const { status, output } = run(promtool, ["check", "config", "prometheus.yml"], dir);
    expect(status, output).toBe(0);
  });

  test("parses every dashboard query", () => {
    const dir = mkdtempSync(join(tmpdir(), "vobiz-dashboard-"));
    const recording = dashboardTargets().map(({ expr }, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll("$__rate_interval", "5m").replace(/\$\w+/g, ".*"),
    }));
    writeFileSync(
      join(dir, "queries.yml"),
      JSON.stringify({ groups: [{ name: "dashboard", rules: recording }] }),
    );
    const { status, output } = run(promtool, ["check", "rules", "queries.yml"], dir);
    expect(status, output).toBe(0);
  });
});

describe.skipIf(amtool === "")("amtool", () => {
  test("accepts the Alertmanager configuration", () => {
    const { status, output } = run(amtool, [
      "check-config",
      "prometheus/alertmanager.yml",
    ]);
    expect(status, output).toBe(0);
  });

  test.each([
    ["critical", "pager"],
    ["warning", "tickets"],
    ["info", "blackhole"],
  ])("routes severity %s to %s", (severity, receiver) => {
    const { status, stdout, output } = run(amtool, [
      "config",
      "routes",
      "test",
      "--config.file=prometheus/alertmanager.yml",
      "alertname=VobizNumberFlaggedSpam",
      `severity=${severity}`,
    ]);
    expect(status, output).toBe(0);
    expect(stdout.trim()).toBe(receiver);
  });

  test("routes every alert's severity to a receiver that exists", () => {
    const config = parse(read("prometheus/alertmanager.yml")) as {
      receivers: { name: string }[];
    };
    const names = config.receivers.map((r) => r.name);
    for (const rule of rules) {
      const { stdout } = run(amtool, [
        "config",
        "routes",
        "test",
        "--config.file=prometheus/alertmanager.yml",
        `alertname=${rule.alert}`,
        `severity=${rule.labels?.severity ?? ""}`,
      ]);
      expect(names, rule.alert).toContain(stdout.trim());
    }
  });
});

interface Target {
  expr: string;
  datasource?: unknown;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: unknown;
  targets?: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
}

interface Variable {
  name: string;
  type: string;
  query?: unknown;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  datasource?: unknown;
}

interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  __inputs: { name: string; pluginId: string }[];
  templating: { list: Variable[] };
  panels: Panel[];
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

function dashboard(): Dashboard {
  return JSON.parse(read("grafana-dashboard.json")) as Dashboard;
}

function dashboardTargets(): Target[] {
  return dashboard().panels.flatMap((p) => p.targets ?? []);
}

/** Metric selectors in a PromQL expression: the name and its `{…}` matchers, if any. */
function selectors(expr: string): { metric: string; matchers: string | undefined }[] {
  const found = expr.matchAll(/\b((?:vobiz|scrape)_[a-z_]+|up)\b(\{[^}]*\})?/g);
  return [...found].map((m) => ({ metric: m[1] ?? "", matchers: m[2] }));
}

describe("Grafana dashboard", () => {
  const board = dashboard();
  const panels = board.panels.filter((p) => p.type !== "row");

  test("has a stable uid, tags, schema version 39 and an import input", () => {
    expect(board.uid).toBe("vobiz-exporter");
    expect(board.tags).toContain("vobiz");
    expect(board.schemaVersion).toBe(39);
    expect(board.__inputs).toContainEqual(
      expect.objectContaining({ name: "DS_PROMETHEUS", pluginId: "prometheus" }),
    );
  });

  test("is what scripts/build-dashboard.mjs generates", () => {
    const { status, output } = run(process.execPath, [
      "scripts/build-dashboard.mjs",
      "--check",
    ]);
    expect(status, output).toBe(0);
  });

  test("has the datasource, job, account and number variables", () => {
    const vars = new Map(board.templating.list.map((v) => [v.name, v]));
    expect(vars.get("datasource")).toMatchObject({
      type: "datasource",
      query: "prometheus",
    });
    const queries: [string, string][] = [
      ["job", "label_values(vobiz_exporter_build_info, job)"],
      ["account", 'label_values(vobiz_number_up{job=~"$job"}, account)'],
      [
        "number",
        'label_values(vobiz_number_up{job=~"$job", account=~"$account"}, number)',
      ],
    ];
    for (const [name, query] of queries) {
      expect(vars.get(name), name).toMatchObject({
        type: "query",
        multi: true,
        includeAll: true,
        allValue: ".*",
        datasource: DATASOURCE,
        query: { query },
      });
    }
  });

  test("has the Overview, Per number, State and Exporter rows", () => {
    const rows = board.panels.filter((p) => p.type === "row").map((p) => p.title);
    expect(rows).toEqual(["Overview", "Per number", "State", "Exporter"]);
  });

  test("has unique panel ids and panels inside the 24-column grid", () => {
    const ids = board.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { title, gridPos } of board.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
    }
  });

  test.each(panels.map((p) => [p.title, p] as const))(
    "panel %s queries the ${datasource} variable",
    (_title, panel) => {
      expect(panel.datasource).toEqual(DATASOURCE);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? [])
        expect(target.datasource).toEqual(DATASOURCE);
    },
  );

  test.each(dashboardTargets().map((t) => [t.expr] as const))(
    "query filters by the variables: %s",
    (expr) => {
      expect(expr).toContain('job=~"$job"');
      const found = selectors(expr);
      expect(found.length).toBeGreaterThan(0);
      for (const { metric, matchers } of found) {
        expect(KNOWN_METRICS, metric).toContain(metric);
        expect(matchers, metric).toContain('job=~"$job"');
        if (metric.startsWith("vobiz_number_")) {
          expect(matchers, metric).toContain('account=~"$account"');
          expect(matchers, metric).toContain('number=~"$number"');
        }
      }
    },
  );

  test("shows the answer-ratio alert threshold", () => {
    const threshold = /vobiz_number_answer_ratio < ([\d.]+)/.exec(
      rules.find((r) => r.alert === "VobizNumberLowAnswerRatio")?.expr ?? "",
    )?.[1];
    const panel = panels.find((p) => p.title === "Answer ratio") as unknown as {
      fieldConfig: { defaults: { thresholds: { steps: { value: number | null }[] } } };
    };
    const steps = panel.fieldConfig.defaults.thresholds.steps.map((s) => s.value);
    expect(steps).toContain(Number(threshold));
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string };
  command?: string[];
  volumes?: string[];
}

describe("compose demo", () => {
  const composeDir = join(ROOT, "deploy/compose");
  const compose = parse(readFileSync(join(composeDir, "compose.yml"), "utf8")) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;

  test("runs the exporter in demo mode, Prometheus, Alertmanager and Grafana", () => {
    expect(Object.keys(services).sort()).toEqual([
      "alertmanager",
      "exporter",
      "grafana",
      "prometheus",
    ]);
    expect(services.exporter?.command?.[0]).toBe("demo");
    expect(
      existsSync(
        resolve(composeDir, services.exporter?.build?.context ?? "", "Dockerfile"),
      ),
    ).toBe(true);
  });

  test.each(
    Object.entries(services).flatMap(([name, service]) =>
      (service.volumes ?? []).map((volume) => [name, volume] as const),
    ),
  )("%s mounts a file that exists: %s", (_name, volume) => {
    const [host] = volume.split(":");
    expect(host).toMatch(/^\.\.?\//);
    expect(existsSync(resolve(composeDir, host ?? ""))).toBe(true);
  });

  test("mounts the shipped rules, Alertmanager config and dashboard", () => {
    const mounts = Object.values(services).flatMap((s) => s.volumes ?? []);
    for (const file of [
      "prometheus/alerts.yml",
      "prometheus/alertmanager.yml",
      "grafana-dashboard.json",
    ]) {
      expect(
        mounts.some(
          (m) => resolve(composeDir, m.split(":")[0] ?? "") === join(ROOT, file),
        ),
        file,
      ).toBe(true);
    }
  });

  test("scrapes the exporter service as job vobiz", () => {
    const config = parse(read("deploy/compose/prometheus.yml")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.scrape_configs[0]).toMatchObject({
      job_name: "vobiz",
      static_configs: [{ targets: ["exporter:9817"] }],
    });
  });

  test("provisions a Prometheus datasource with a fixed uid and the dashboard folder", () => {
    const grafana = services.grafana?.volumes ?? [];
    const datasources = parse(
      read("deploy/compose/grafana/provisioning/datasources/prometheus.yml"),
    ) as { datasources: { uid: string; type: string; url: string }[] };
    expect(datasources.datasources[0]).toMatchObject({
      uid: "prometheus",
      type: "prometheus",
      url: "http://prometheus:9090",
    });
    const providers = parse(
      read("deploy/compose/grafana/provisioning/dashboards/vobiz.yml"),
    ) as { providers: { options: { path: string } }[] };
    const dashboardMount = grafana.find((m) =>
      m.startsWith("../../grafana-dashboard.json:"),
    );
    expect(dirname(dashboardMount?.split(":")[1] ?? "")).toBe(
      providers.providers[0]?.options.path,
    );
  });
});

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [, keyword = "", args = ""] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
      return { keyword: keyword.toUpperCase(), args: args.trim() };
    });
}

describe("Dockerfile", () => {
  const all = instructions(read("Dockerfile"));
  const finalStage = all.slice(all.map((i) => i.keyword).lastIndexOf("FROM"));
  const args = (keyword: string) =>
    finalStage.filter((i) => i.keyword === keyword).map((i) => i.args);

  test("builds and runs on a Node LTS Debian slim image", () => {
    const bases = all.filter((i) => i.keyword === "FROM").map((i) => i.args);
    expect(bases).toHaveLength(2);
    for (const base of bases) expect(base).toMatch(/^node:(20|22)-bookworm-slim\b/);
  });

  test("runs the compiled exporter as node, unprivileged, in production mode", () => {
    expect(args("USER")).toEqual(["node"]);
    expect(args("ENV")).toContain("NODE_ENV=production");
    expect(args("EXPOSE")).toEqual(["9817"]);
    expect(args("ENTRYPOINT")).toEqual(['["node", "/app/dist/main.js"]']);
    expect(args("CMD")).toEqual(['["--config.file=/etc/vobiz-exporter/exporter.yml"]']);
    expect(args("HEALTHCHECK").join()).toContain("http://127.0.0.1:9817/-/healthy");
  });

  test("installs only production dependencies, from the lockfile, in the image", () => {
    expect(args("RUN").join(" && ")).toMatch(/\bnpm ci --omit=dev\b/);
  });

  test("runs only npm scripts that package.json defines", () => {
    const scripts = Object.keys(
      (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts,
    );
    const used = all
      .filter((i) => i.keyword === "RUN")
      .flatMap((i) => [...i.args.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]));
    expect(used).toContain("build");
    for (const script of used) expect(scripts).toContain(script);
  });

  test("copies from the build context only files that exist and are not ignored", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    const sources = all
      .filter((i) => i.keyword === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
  });

  // The final stage's `npm ci --omit=dev` refuses a lockfile out of step with
  // package.json; --dry-run checks that without installing anything.
  test("has a lockfile that npm ci accepts", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "vobiz-npm-ci-"));
    for (const file of ["package.json", "package-lock.json"]) {
      cpSync(join(ROOT, file), join(dir, file));
    }
    const { status, output } = run(
      "npm",
      ["ci", "--omit=dev", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"],
      dir,
    );
    expect(status, output).toBe(0);
  });
});

// dockerfile-utils is a devDependency, run from node_modules/.bin (which npm and npx
// put on PATH). It is looked up inside the test so that, under CI, its absence fails
// this test alone rather than the whole file.
describe("Dockerfile lint (dockerfile-utils)", () => {
  test("reports no error and no warning", (context) => {
    const linter = findTool("dockerfile-utils");
    if (linter === undefined) return context.skip();

    const { status, output } = run(linter, ["lint", "--json", "Dockerfile"]);
    expect(status, output).toBe(0);
    expect(JSON.parse(output)).toEqual([]);
  });
});
