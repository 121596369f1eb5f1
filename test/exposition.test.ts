import { Buffer } from "node:buffer";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { Registry, type RegistryContentType } from "prom-client";

import type { NumberOutcome } from "../src/collect/outcome.js";
import type { Labels } from "../src/config/types.js";
import type { Exporter } from "../src/exporter.js";
import {
  addNumberMetrics,
  NumberMetricsRenderer,
  numberMetricsText,
} from "../src/metrics/render.js";
import { SlabPool } from "../src/metrics/slab-pool.js";
import { CONTENT_TYPES, type ExpositionFormat } from "../src/metrics/text-format.js";
import { startSimulator } from "../src/simulator/index.js";
import type { NumberHealth } from "../src/vobiz/health.js";
import { demoAccountConfig, testConfig } from "./helpers/config.js";
import {
  FIXED_NOW_MS,
  matchesGolden,
  startFixedClockDemo,
  testExporter,
  type FixedClockDemo,
} from "./helpers/exporter.js";

const OPENMETRICS_GOLDEN = new URL("./golden/demo-metrics.om", import.meta.url);

let exporter: Exporter;
let demo: FixedClockDemo;

beforeAll(async () => {
  demo = await startFixedClockDemo();
  exporter = demo.exporter;
});

afterAll(async () => {
  await demo.close();
});

describe("OpenMetrics exposition for the demo numbers", () => {
  test("matches the golden file at a fixed clock", async () => {
    const { body } = await exporter.scrape({ openMetrics: true });
    await matchesGolden(body, OPENMETRICS_GOLDEN);
  });
});

const DAY_MS = 86_400_000;

/** A number's outcome with the given labels, answer and failures. */
function outcome(
  labels: Labels,
  health?: NumberHealth,
  extra: Partial<NumberOutcome> = {},
): NumberOutcome {
  const account = demoAccountConfig();
  const target = {
    account,
    number: "+919876543210",
    labels,
    source: "configured" as const,
  };
  return { target, health, seconds: 0.25, errorCounts: new Map(), ...extra };
}

const healthy: NumberHealth = {
  status: "active",
  usageStatus: "unrated",
  isSpam: false,
  summary: { totalCalls: 3, answeredCalls: 1, totalMinutes: 2.5, periodDays: 30 },
  snapshots: [{ startMs: FIXED_NOW_MS - 2 * DAY_MS, totalCalls: 7, failedCalls: 2 }],
};

// Label values that need escaping and values that JavaScript prints in unusual forms.
const ODD_LABELS: Labels = {
  account: "back\\slash",
  number: 'quote"d',
  owner: "new\nline",
  team: "ünïcödé ☎",
};
const odd: NumberHealth = {
  status: 'not "documented"\\yet',
  usageStatus: "spam\nlikely",
  isSpam: true,
  summary: {
    totalCalls: 3,
    answeredCalls: 1,
    totalMinutes: 1e21,
    avgDuration: -Infinity,
    periodDays: Number.NaN,
  },
  snapshots: [
    { startMs: -1, totalCalls: Infinity, answeredCalls: 1e-7, totalDuration: -0 },
  ],
};

const CASES: [string, NumberOutcome[]][] = [
  ["a healthy number", [outcome({ account: "a", number: "1" }, healthy)]],
  [
    "a failing number with errors and a last success",
    [
      outcome({ account: "a", number: "2" }, undefined, {
        lastSuccessMs: FIXED_NOW_MS - 1,
        errorCounts: new Map([["timeout", 3]]),
      }),
      outcome({ account: "a", number: "3" }, healthy),
    ],
  ],
  ["labels and values that need escaping", [outcome(ODD_LABELS, odd)]],
  ["a number without labels", [outcome({}, healthy), outcome({}, odd)]],
];

/** The same outcomes through a prom-client registry, as every scrape was once rendered. */
async function viaRegistry(outcomes: NumberOutcome[], format: ExpositionFormat) {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(CONTENT_TYPES[format] as RegistryContentType);
  addNumberMetrics(registry, outcomes, OPTIONS);
  return registry.metrics();
}

function written(outcomes: NumberOutcome[], format: ExpositionFormat): string {
  const text = [...numberMetricsText(outcomes, OPTIONS, format)].join("");
  return format === "openmetrics" ? `${text}# EOF\n` : text;
}

const OPTIONS = {
  answerRateUnit: "auto",
  granularity: "daily",
  nowMs: FIXED_NOW_MS,
} as const;

describe("numberMetricsText", () => {
  test.each(["text", "openmetrics"] as const)(
    "writes %s byte for byte as prom-client's registry does",
    async (format) => {
      for (const [, outcomes] of CASES) {
        expect(written(outcomes, format)).toBe(await viaRegistry(outcomes, format));
      }
    },
  );

  test("writes nothing for no numbers, not even an empty family", () => {
    expect([...numberMetricsText([], OPTIONS, "text")]).toEqual([]);
    expect(written([], "openmetrics")).toBe("# EOF\n");
  });

  test("writes a large scrape in pieces of whole lines that join to the same text", async () => {
    const many = Array.from({ length: 2_000 }, (_, i) =>
      outcome({ account: "a", number: `+9170000${String(i).padStart(5, "0")}` }, healthy),
    );
    const pieces = [...numberMetricsText(many, OPTIONS, "text")];

    expect(pieces.length).toBeGreaterThan(5);
    for (const piece of pieces) expect(piece.endsWith("\n")).toBe(true);
    expect(pieces.join("")).toBe(await viaRegistry(many, "text"));
  });

  test("escapes backslash, quote and newline in label values", () => {
    const text = written([outcome(ODD_LABELS, odd)], "text");
    expect(text).toContain(
      'vobiz_number_up{account="back\\\\slash",number="quote\\"d",owner="new\\nline",' +
        'team="ünïcödé ☎"} 1\n',
    );
    expect(text).toContain('status="not \\"documented\\"\\\\yet"} 1\n');
  });

  test("prints infinities and NaN as prom-client does", () => {
    const text = written([outcome({ account: "a", number: "1" }, odd)], "text");
    expect(text).toContain(
      'average_call_duration_seconds{account="a",number="1"} -Inf\n',
    );
    expect(text).toContain(
      'last_period_calls{account="a",number="1",granularity="daily"} +Inf\n',
    );
    expect(text).toContain('window_seconds{account="a",number="1"} Nan\n');
    expect(text).toContain('call_time_seconds{account="a",number="1"} 6e+22\n');
  });

  test("names OpenMetrics counter families without _total and ends with one # EOF", () => {
    const text = written(
      [outcome({ account: "a", number: "1" }, healthy)],
      "openmetrics",
    );
    expect(text).toContain("# TYPE vobiz_number_scrape_errors counter\n");
    expect(text).toContain(
      'vobiz_number_scrape_errors_total{account="a",number="1",reason="auth"} 0\n',
    );
    expect(text.match(/# EOF/g)).toEqual(["# EOF"]);
    expect(text.endsWith("\n# EOF\n")).toBe(true);
  });
});

/** Numbers that each take about 2.8 KB of text: enough of them fill many buffers. */
function manyNumbers(count: number, labels: Labels = {}): NumberOutcome[] {
  return Array.from({ length: count }, (_, i) =>
    outcome(
      { account: "a", number: `+9170000${String(i).padStart(5, "0")}`, ...labels },
      healthy,
    ),
  );
}

/** The renderer's whole text, its buffers and strings decoded, and how many were which. */
function rendered(renderer: NumberMetricsRenderer, outcomes: NumberOutcome[]) {
  const pieces = [...renderer.pieces(outcomes)].flat();
  const bytes = Buffer.concat(
    pieces.map((p) => (typeof p === "string" ? Buffer.from(p) : p)),
  );
  return {
    text: bytes.toString("utf8"),
    buffers: pieces.filter((p) => typeof p !== "string").length,
    strings: pieces.filter((p) => typeof p === "string").length,
  };
}

describe("NumberMetricsRenderer", () => {
  const BIG_POOL_BYTES = 16 * 1024 * 1024;

  test.each(["text", "openmetrics"] as const)(
    "rendering %s early, as outcomes arrive, gives the same bytes as at the end",
    (format) => {
      const odd = Array.from({ length: 300 }, () => outcome(ODD_LABELS, healthy));
      for (const outcomes of [...CASES.map(([, o]) => o), manyNumbers(500), odd]) {
        const renderer = new NumberMetricsRenderer(
          OPTIONS,
          format,
          new SlabPool(BIG_POOL_BYTES),
        );
        // Half the outcomes first, the first of them missing, as a slow first number does.
        const half = outcomes.map((o, i) => (i === 0 || i % 2 === 1 ? undefined : o));
        renderer.advance(half);
        renderer.advance(outcomes);
        const atTheEnd = [...numberMetricsText(outcomes, OPTIONS, format)].join("");
        expect(rendered(renderer, outcomes).text).toBe(atTheEnd);
      }
    },
  );

  test("renders nothing early past a missing outcome, then all once it arrives", () => {
    const outcomes = manyNumbers(200);
    const waiting = new NumberMetricsRenderer(
      OPTIONS,
      "text",
      new SlabPool(BIG_POOL_BYTES),
    );
    waiting.advance([undefined, ...outcomes.slice(1)]);
    const late = new NumberMetricsRenderer(OPTIONS, "text", new SlabPool(BIG_POOL_BYTES));
    late.advance(outcomes);

    expect(rendered(waiting, outcomes).buffers).toBe(0);
    expect(rendered(late, outcomes).buffers).toBeGreaterThan(19);
  });

  test("a scrape too large for the free buffers renders nothing more early", async () => {
    const outcomes = manyNumbers(2_000);
    const renderer = new NumberMetricsRenderer(
      OPTIONS,
      "text",
      new SlabPool(1024 * 1024),
    );
    renderer.advance(outcomes);
    const { text, buffers } = rendered(renderer, outcomes);

    expect(buffers).toBe(0);
    expect(text).toBe(await viaRegistry(outcomes, "text"));
  });

  test("numbers longer than the first outrun the reservation: the rest is written late", async () => {
    // The first number is down, so it has few series; the others have every family,
    // with mostly three-byte characters, so that text takes far more bytes than
    // characters.
    const team = `ünïcödé ${"☎".repeat(100)}`;
    const outcomes = [
      outcome({ account: "a", number: "+91700000", team }),
      ...manyNumbers(2_000, { team }),
    ];
    const pool = new SlabPool(64 * 1024 * 1024);
    const renderer = new NumberMetricsRenderer(OPTIONS, "text", pool);
    renderer.advance(outcomes);
    const { text, buffers, strings } = rendered(renderer, outcomes);

    expect(buffers).toBeGreaterThan(19);
    expect(strings).toBeGreaterThan(19);
    expect(text).toBe(await viaRegistry(outcomes, "text"));
  });

  test("scrapes share the pool, and a released scrape's buffers serve the next", () => {
    const outcomes = manyNumbers(200);
    const pool = new SlabPool(1024 * 1024);
    const first = new NumberMetricsRenderer(OPTIONS, "text", pool);
    const second = new NumberMetricsRenderer(OPTIONS, "text", pool);
    first.advance(outcomes);
    second.advance(outcomes);

    expect(rendered(first, outcomes).buffers).toBeGreaterThan(19);
    expect(rendered(second, outcomes).buffers).toBe(0);

    first.release();
    const third = new NumberMetricsRenderer(OPTIONS, "text", pool);
    third.advance(outcomes);
    expect(rendered(third, outcomes).buffers).toBeGreaterThan(19);
  });
});

describe("exporter-wide counters across formats", () => {
  // prom-client renames a registered counter in place for OpenMetrics; a text scrape
  // after an OpenMetrics one once served vobiz_api_requests without _total.
  test("keep _total in a text scrape that follows an OpenMetrics one", async () => {
    const simulator = await startSimulator();
    const { exporter } = testExporter(testConfig(simulator.url), {
      processMetrics: true,
    });

    try {
      const open = await exporter.scrape({ openMetrics: true });
      const text = await exporter.scrape({ openMetrics: false });
      const again = await exporter.scrape({ openMetrics: true });

      // The process metrics, read apart from the exporter's own, come before them: the
      // one `# EOF` still ends the answer.
      expect(open.body).toMatch(/^process_cpu_seconds_total /m);
      expect(open.body.match(/^# EOF$/gm)).toEqual(["# EOF"]);
      expect(open.body.endsWith("\n# EOF\n")).toBe(true);
      expect(open.body).toMatch(/^# TYPE vobiz_api_requests counter$/m);
      expect(open.body).toMatch(/^vobiz_api_requests_total\{/m);
      expect(text.body).toMatch(/^# TYPE vobiz_api_requests_total counter$/m);
      expect(text.body).toMatch(/^vobiz_api_requests_total\{/m);
      expect(text.body).toMatch(/^process_cpu_seconds_total /m);
      expect(again.body).not.toContain("_total_total");
    } finally {
      await exporter.close();
      await simulator.close();
    }
  });
});
