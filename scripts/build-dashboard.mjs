// Writes grafana-dashboard.json, the Grafana dashboard for vobiz-exporter.
// Usage: node scripts/build-dashboard.mjs [--check]
// With --check it writes nothing and exits 1 when the committed file is out of date.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import * as prettier from "prettier";

const OUTPUT = join(import.meta.dirname, "..", "grafana-dashboard.json");
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

// Matchers every selector carries: all series by job, per-number series also by the
// account and number picked in the variables.
const JOB = 'job=~"$job"';
const ACCOUNT = 'account=~"$account"';
const NUMBER = `${ACCOUNT}, number=~"$number"`;

/** A selector for a per-number metric, with optional extra matchers. */
function num(metric, extra) {
  return `${metric}{${JOB}, ${NUMBER}${extra ? `, ${extra}` : ""}}`;
}

/** The answer-ratio threshold of VobizNumberLowAnswerRatio in prometheus/alerts.yml. */
const ANSWER_RATIO_THRESHOLD = 0.3;
/** The data-age threshold of VobizNumberDataStale, in seconds. */
const STALE_SECONDS = 3600;

// Value 1..6 per state, so that a state timeline can show one row per number.
const STATUSES = [
  ["active", "green"],
  ["pending_purchase", "blue"],
  ["pending_release", "orange"],
  ["released", "text"],
  ["blocked", "red"],
];
const statusCode = [
  ...STATUSES.map(
    ([status], i) =>
      `(${num("vobiz_number_status", `status="${status}"`)} == 1) * ${i + 1}`,
  ),
  `(${num("vobiz_number_status", `status!~"${STATUSES.map(([s]) => s).join("|")}"`)} == 1) * ${STATUSES.length + 1}`,
].join("\n  or\n");
const statusMappings = [
  {
    type: "value",
    options: Object.fromEntries([
      ...STATUSES.map(([status, color], i) => [
        String(i + 1),
        { text: status, color, index: i },
      ]),
      [
        String(STATUSES.length + 1),
        { text: "other", color: "purple", index: STATUSES.length },
      ],
    ]),
  },
];
const spamMappings = [
  {
    type: "value",
    options: {
      0: { text: "not spam", color: "green", index: 0 },
      1: { text: "spam", color: "red", index: 1 },
    },
  },
];

let nextId = 1;
let y = 0;

function target(expr, legendFormat, extra = {}) {
  return { datasource: DATASOURCE, expr, legendFormat, range: true, ...extra };
}

function row(title) {
  const panel = {
    type: "row",
    id: nextId++,
    title,
    collapsed: false,
    gridPos: { h: 1, w: 24, x: 0, y },
    panels: [],
  };
  y += 1;
  return panel;
}

/** A run of panels of one height, laid out left to right by `layout`. */
function section(h, panels) {
  return { h, panels };
}

/** Places panels left to right from the current row, `h` high, wrapping at 24 columns. */
function layout(h, panels) {
  let x = 0;
  const placed = [];
  for (const { width, ...panel } of panels) {
    if (x + width > 24) {
      x = 0;
      y += h;
    }
    placed.push({ id: nextId++, gridPos: { h, w: width, x, y }, ...panel });
    x += width;
  }
  y += h;
  return placed;
}

function stat(title, description, targets, fieldConfig, width = 4) {
  return {
    type: "stat",
    title,
    description,
    width,
    datasource: DATASOURCE,
    targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) })),
    fieldConfig: { defaults: fieldConfig, overrides: [] },
    options: {
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      colorMode: "value",
      graphMode: "none",
      textMode: "value_and_name",
      justifyMode: "auto",
      orientation: "auto",
    },
  };
}

function timeseries(title, description, targets, defaults, width = 12) {
  return {
    type: "timeseries",
    title,
    description,
    width,
    datasource: DATASOURCE,
    targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) })),
    fieldConfig: {
      defaults: {
        custom: { drawStyle: "line", lineWidth: 1, fillOpacity: 0, showPoints: "never" },
        ...defaults,
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: "list", placement: "bottom", showLegend: true },
      tooltip: { mode: "multi", sort: "desc" },
    },
  };
}

function stateTimeline(title, description, expr, mappings) {
  return {
    type: "state-timeline",
    title,
    description,
    width: 12,
    datasource: DATASOURCE,
    targets: [{ ...target(expr, "{{account}} {{number}}"), refId: "A" }],
    fieldConfig: {
      defaults: { mappings, color: { mode: "thresholds" }, custom: { fillOpacity: 80 } },
      overrides: [],
    },
    options: {
      showValue: "auto",
      mergeValues: true,
      rowHeight: 0.9,
      legend: { showLegend: false },
    },
  };
}

const thresholds = (...steps) => ({
  mode: "absolute",
  steps: steps.map(([color, value]) => ({ color, value })),
});

const perNumber = "{{account}} {{number}}";

const overview = section(4, [
  stat(
    "Numbers up / total",
    "Numbers whose last scrape holds a valid health response, out of all numbers shown.",
    [
      target(`sum(${num("vobiz_number_up")})`, "up"),
      target(`count(${num("vobiz_number_up")})`, "total"),
    ],
    { color: { mode: "fixed", fixedColor: "text" } },
    6,
  ),
  stat(
    "Flagged as spam",
    "Numbers that Vobiz flags as spam (is_spam).",
    [target(`sum(${num("vobiz_number_spam")}) or vector(0)`, "spam")],
    { thresholds: thresholds(["green", null], ["red", 1]) },
  ),
  stat(
    "Not active",
    "Numbers whose status is anything but active.",
    [
      target(
        `count(${num("vobiz_number_status", 'status!="active"')} == 1) or vector(0)`,
        "not active",
      ),
    ],
    { thresholds: thresholds(["green", null], ["orange", 1]) },
  ),
  stat(
    "Worst answer ratio",
    `Lowest answer ratio over the window among the numbers shown; red below ${ANSWER_RATIO_THRESHOLD}, the alert threshold.`,
    [target(`min(${num("vobiz_number_answer_ratio")})`, "worst")],
    {
      unit: "percentunit",
      decimals: 1,
      thresholds: thresholds(["red", null], ["green", ANSWER_RATIO_THRESHOLD]),
    },
  ),
  stat(
    "Calls in window",
    "Calls on the numbers shown over the window (health.days).",
    [target(`sum(${num("vobiz_number_calls")})`, "calls")],
    { unit: "short", color: { mode: "fixed", fixedColor: "text" } },
    6,
  ),
]);

const perNumberPanels = section(8, [
  timeseries(
    "Answer ratio",
    `Answered calls / calls over the window. The red band is below ${ANSWER_RATIO_THRESHOLD}, where VobizNumberLowAnswerRatio fires for numbers with at least 20 calls.`,
    [target(num("vobiz_number_answer_ratio"), perNumber)],
    {
      unit: "percentunit",
      min: 0,
      max: 1,
      custom: {
        drawStyle: "line",
        lineWidth: 1,
        fillOpacity: 0,
        showPoints: "never",
        thresholdsStyle: { mode: "line+area" },
      },
      thresholds: thresholds(["red", null], ["transparent", ANSWER_RATIO_THRESHOLD]),
    },
  ),
  timeseries(
    "Calls and answered calls",
    "Calls and answered calls over the window; window values fall as old calls leave it.",
    [
      target(num("vobiz_number_calls"), `calls ${perNumber}`),
      target(num("vobiz_number_answered_calls"), `answered ${perNumber}`),
    ],
    { unit: "short", min: 0 },
  ),
  timeseries(
    "Talk time",
    "Talk time over the window (total_minutes × 60).",
    [target(num("vobiz_number_call_time_seconds"), perNumber)],
    { unit: "s", min: 0 },
  ),
  timeseries(
    "Average call duration",
    "Average call duration over the window (avg_duration).",
    [target(num("vobiz_number_average_call_duration_seconds"), perNumber)],
    { unit: "s", min: 0 },
  ),
  timeseries(
    "Last complete period: calls",
    "Calls in the newest complete day or hour (label granularity).",
    [
      target(num("vobiz_number_last_period_calls"), `calls ${perNumber}`),
      target(num("vobiz_number_last_period_answered_calls"), `answered ${perNumber}`),
      target(num("vobiz_number_last_period_failed_calls"), `failed ${perNumber}`),
    ],
    { unit: "short", min: 0 },
    8,
  ),
  timeseries(
    "Last complete period: answer ratio",
    "Answer ratio of the newest complete day or hour.",
    [target(num("vobiz_number_last_period_answer_ratio"), perNumber)],
    { unit: "percentunit", min: 0, max: 1 },
    8,
  ),
  timeseries(
    "Last complete period: talk time",
    "Talk time in the newest complete day or hour.",
    [target(num("vobiz_number_last_period_call_time_seconds"), perNumber)],
    { unit: "s", min: 0 },
    8,
  ),
]);

const tableQuery = (expr, refId) => ({
  ...target(expr, "", { format: "table", instant: true, range: false }),
  refId,
});

const statePanels = section(8, [
  stateTimeline(
    "Spam flag",
    "is_spam per number over time.",
    num("vobiz_number_spam"),
    spamMappings,
  ),
  stateTimeline(
    "Status",
    "Each number's status over time; other is a value the API docs do not list.",
    `max by (account, number) (\n  ${statusCode}\n)`,
    statusMappings,
  ),
]);
const numbersTable = section(10, [
  {
    type: "table",
    title: "Numbers",
    description: "Each number's current state and the age of its last valid response.",
    width: 24,
    datasource: DATASOURCE,
    targets: [
      tableQuery(
        `max by (account, number, status) (${num("vobiz_number_status")} == 1)`,
        "A",
      ),
      tableQuery(
        `max by (account, number, usage_status) (${num("vobiz_number_usage_status")} == 1)`,
        "B",
      ),
      tableQuery(`max by (account, number) (${num("vobiz_number_spam")})`, "C"),
      tableQuery(`max by (account, number) (${num("vobiz_number_up")})`, "D"),
      tableQuery(
        `max by (account, number) (time() - ${num("vobiz_number_last_success_timestamp_seconds")})`,
        "E",
      ),
    ],
    transformations: [
      { id: "merge", options: {} },
      {
        id: "organize",
        options: {
          excludeByName: { Time: true, "Value #A": true, "Value #B": true },
          indexByName: {
            account: 0,
            number: 1,
            status: 2,
            usage_status: 3,
            "Value #C": 4,
            "Value #D": 5,
            "Value #E": 6,
          },
          renameByName: {
            usage_status: "usage status",
            "Value #C": "spam",
            "Value #D": "up",
            "Value #E": "last success age",
          },
        },
      },
    ],
    fieldConfig: {
      defaults: { custom: { align: "auto" } },
      overrides: [
        {
          matcher: { id: "byName", options: "spam" },
          properties: [
            { id: "mappings", value: spamMappings },
            { id: "custom.cellOptions", value: { type: "color-text" } },
          ],
        },
        {
          matcher: { id: "byName", options: "up" },
          properties: [
            {
              id: "mappings",
              value: [
                {
                  type: "value",
                  options: {
                    0: { text: "down", color: "red", index: 0 },
                    1: { text: "up", color: "green", index: 1 },
                  },
                },
              ],
            },
            { id: "custom.cellOptions", value: { type: "color-text" } },
          ],
        },
        {
          matcher: { id: "byName", options: "last success age" },
          properties: [
            { id: "unit", value: "s" },
            {
              id: "thresholds",
              value: thresholds(["green", null], ["red", STALE_SECONDS]),
            },
            { id: "custom.cellOptions", value: { type: "color-text" } },
          ],
        },
      ],
    },
    options: { showHeader: true, sortBy: [{ displayName: "number", desc: false }] },
  },
]);

const exporterPanels = section(8, [
  timeseries(
    "Scrape duration",
    "Prometheus's whole scrape against its timeout (scrape_timeout_seconds needs Prometheus's extra-scrape-metrics feature), and the slowest numbers within it.",
    [
      target(`scrape_duration_seconds{${JOB}}`, "scrape {{instance}}"),
      target(`scrape_timeout_seconds{${JOB}}`, "timeout {{instance}}"),
      target(`topk(5, ${num("vobiz_number_scrape_duration_seconds")})`, perNumber),
    ],
    { unit: "s", min: 0 },
  ),
  timeseries(
    "API requests by code",
    "Requests to the Vobiz API per second, by HTTP status code.",
    [
      target(
        `sum by (code) (rate(vobiz_api_requests_total{${JOB}, ${ACCOUNT}}[$__rate_interval]))`,
        "{{code}}",
      ),
    ],
    { unit: "reqps", min: 0 },
  ),
  timeseries(
    "API request duration",
    "Median and 95th percentile of Vobiz API request durations, by endpoint.",
    [
      target(
        `histogram_quantile(0.5, sum by (le, endpoint) (rate(vobiz_api_request_duration_seconds_bucket{${JOB}}[$__rate_interval])))`,
        "p50 {{endpoint}}",
      ),
      target(
        `histogram_quantile(0.95, sum by (le, endpoint) (rate(vobiz_api_request_duration_seconds_bucket{${JOB}}[$__rate_interval])))`,
        "p95 {{endpoint}}",
      ),
    ],
    { unit: "s", min: 0 },
    8,
  ),
  timeseries(
    "Scrape errors by reason",
    "Failed number scrapes per interval, by reason.",
    [
      target(
        `sum by (reason) (increase(${num("vobiz_number_scrape_errors_total")}[$__rate_interval]))`,
        "{{reason}}",
      ),
    ],
    { unit: "short", min: 0 },
    8,
  ),
  timeseries(
    "Rate limiting",
    "HTTP 429 answers from Vobiz, and number scrapes that failed because of them.",
    [
      // The code="429" series only exists after a first 429; until then each account
      // with requests shows 0 rather than no line at all.
      target(
        `sum by (account) (rate(vobiz_api_requests_total{${JOB}, ${ACCOUNT}, code="429"}[$__rate_interval]))\nor\nsum by (account) (0 * rate(vobiz_api_requests_total{${JOB}, ${ACCOUNT}}[$__rate_interval]))`,
        "429 answers/s {{account}}",
      ),
      target(
        `sum by (account) (rate(${num("vobiz_number_scrape_errors_total", 'reason="rate_limited"')}[$__rate_interval]))`,
        "failed scrapes/s {{account}}",
      ),
    ],
    { unit: "reqps", min: 0 },
    8,
  ),
  timeseries(
    "Data age",
    `Time since each number's last valid health response; VobizNumberDataStale fires above ${STALE_SECONDS / 60} minutes.`,
    [target(`time() - ${num("vobiz_number_last_success_timestamp_seconds")}`, perNumber)],
    {
      unit: "s",
      min: 0,
      custom: {
        drawStyle: "line",
        lineWidth: 1,
        fillOpacity: 0,
        showPoints: "never",
        thresholdsStyle: { mode: "line" },
      },
      thresholds: thresholds(["transparent", null], ["red", STALE_SECONDS]),
    },
    24,
  ),
]);

const ROWS = [
  ["Overview", [overview]],
  ["Per number", [perNumberPanels]],
  ["State", [statePanels, numbersTable]],
  ["Exporter", [exporterPanels]],
];

/** Builds rows and panels with ids and positions in reading order. */
function assemble() {
  nextId = 1;
  y = 0;
  const out = [];
  for (const [title, sections] of ROWS) {
    out.push(row(title));
    for (const { h, panels } of sections) out.push(...layout(h, panels));
  }
  return out;
}

function queryVariable(name, label, query) {
  return {
    name,
    label,
    type: "query",
    datasource: DATASOURCE,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: ".*",
    current: { selected: true, text: ["All"], value: ["$__all"] },
    options: [],
    hide: 0,
  };
}

function dashboard() {
  return {
    __inputs: [
      {
        name: "DS_PROMETHEUS",
        label: "Prometheus",
        description: "The Prometheus that scrapes vobiz-exporter.",
        type: "datasource",
        pluginId: "prometheus",
        pluginName: "Prometheus",
      },
    ],
    __requires: [
      { type: "grafana", id: "grafana", name: "Grafana", version: "10.4.0" },
      { type: "datasource", id: "prometheus", name: "Prometheus", version: "1.0.0" },
      { type: "panel", id: "stat", name: "Stat", version: "" },
      { type: "panel", id: "timeseries", name: "Time series", version: "" },
      { type: "panel", id: "state-timeline", name: "State timeline", version: "" },
      { type: "panel", id: "table", name: "Table", version: "" },
    ],
    uid: "vobiz-exporter",
    title: "Vobiz number health",
    description:
      "Answer ratio, call volume, spam flag and status of Vobiz phone numbers, and the health of vobiz-exporter.",
    tags: ["vobiz", "telephony", "prometheus-exporter"],
    editable: true,
    graphTooltip: 1,
    timezone: "",
    refresh: "1m",
    time: { from: "now-7d", to: "now" },
    schemaVersion: 39,
    version: 1,
    links: [],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: "grafana", uid: "-- Grafana --" },
          enable: true,
          hide: true,
          iconColor: "rgba(0, 211, 255, 1)",
          name: "Annotations & Alerts",
          type: "dashboard",
        },
      ],
    },
    templating: {
      list: [
        {
          name: "datasource",
          label: "Data source",
          type: "datasource",
          query: "prometheus",
          current: {},
          options: [],
          refresh: 1,
          hide: 0,
        },
        queryVariable("job", "Job", "label_values(vobiz_exporter_build_info, job)"),
        queryVariable(
          "account",
          "Account",
          'label_values(vobiz_number_up{job=~"$job"}, account)',
        ),
        queryVariable(
          "number",
          "Number",
          'label_values(vobiz_number_up{job=~"$job", account=~"$account"}, number)',
        ),
      ],
    },
    panels: assemble(),
  };
}

async function main() {
  const options = (await prettier.resolveConfig(OUTPUT)) ?? {};
  const text = await prettier.format(JSON.stringify(dashboard()), {
    ...options,
    filepath: OUTPUT,
  });

  if (process.argv.includes("--check")) {
    const committed = await readFile(OUTPUT, "utf8").catch(() => "");
    if (committed !== text) {
      process.stderr.write(
        "grafana-dashboard.json is out of date: run node scripts/build-dashboard.mjs\n",
      );
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(OUTPUT, text);
}

await main();
