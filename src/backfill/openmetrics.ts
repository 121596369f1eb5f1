import type { AnswerRateUnit, Granularity, Labels } from "../config/types.js";
import { answerRatio } from "../metrics/answer-ratio.js";
import { NUMBER_METRICS, type MetricDefinition } from "../metrics/names.js";
import type { Snapshot } from "../vobiz/health.js";

/** One number's history: its series labels and its snapshots, any order. */
export interface NumberHistory {
  /** The number's labels as on `/metrics`: `account`, `number`, `owner`, configured. */
  readonly labels: Labels;
  readonly snapshots: readonly Snapshot[];
}

/** How snapshots become samples. */
export interface BackfillOptions {
  readonly granularity: Granularity;
  readonly answerRateUnit: AnswerRateUnit;
  /** Periods that have not ended by this time are left out. */
  readonly nowMs: number;
}

interface Family {
  readonly definition: MetricDefinition;
  readonly value: (snapshot: Snapshot, unit: AnswerRateUnit) => number | undefined;
}

/** The `last_period` families, valued as `/metrics` values them. */
const FAMILIES: readonly Family[] = [
  { definition: NUMBER_METRICS.lastPeriodCalls, value: (s) => s.totalCalls },
  { definition: NUMBER_METRICS.lastPeriodAnsweredCalls, value: (s) => s.answeredCalls },
  { definition: NUMBER_METRICS.lastPeriodFailedCalls, value: (s) => s.failedCalls },
  {
    definition: NUMBER_METRICS.lastPeriodAnswerRatio,
    value: (s, unit) => answerRatio(s, unit),
  },
  {
    definition: NUMBER_METRICS.lastPeriodCallTime,
    value: (s) =>
      s.totalMinutes === undefined
        ? s.totalDuration
        : Math.round(s.totalMinutes * 60 * 1000) / 1000,
  },
  { definition: NUMBER_METRICS.lastPeriodStart, value: (s) => s.startMs / 1000 },
];

const PERIOD_MS: Record<Granularity, number> = {
  daily: 86_400_000,
  hourly: 3_600_000,
};

/**
 * The histories as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`,
 * line by line. Each complete period becomes one sample per family, stamped (in
 * seconds) at the period's end: from then on the live exporter reports that period
 * as the last one. Every family's samples are together, in time order, then `# EOF`.
 */
export function* backfillLines(
  histories: readonly NumberHistory[],
  options: BackfillOptions,
): Generator<string> {
  const step = PERIOD_MS[options.granularity];
  const byEnd = histories.map((history) => {
    const complete = history.snapshots.filter((s) => s.startMs + step <= options.nowMs);
    return new Map(complete.map((s) => [s.startMs + step, s]));
  });
  const ends = [...new Set(byEnd.flatMap((periods) => [...periods.keys()]))].sort(
    (a, b) => a - b,
  );
  const labelTexts = histories.map((h) =>
    labelText({ ...h.labels, granularity: options.granularity }),
  );

  for (const family of FAMILIES) {
    const { name, help } = family.definition;
    yield `# HELP ${name} ${escapeValue(backfillHelp(help))}\n`;
    yield `# TYPE ${name} gauge\n`;
    for (const end of ends) {
      for (const [i, periods] of byEnd.entries()) {
        const snapshot = periods.get(end);
        const value =
          snapshot === undefined
            ? undefined
            : family.value(snapshot, options.answerRateUnit);
        if (value !== undefined) yield `${name}${labelTexts[i]} ${value} ${end / 1000}\n`;
      }
    }
  }
  yield "# EOF\n";
}

/** HELP of the live gauge, without its note on the cache, which does not apply here. */
function backfillHelp(help: string): string {
  return `${help.replace(/ Up to cache\.ttl old\.$/, "")} Backfilled at the period's end.`;
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  return `{${pairs.join(",")}}`;
}

// OpenMetrics escapes the same three characters in label values and in HELP.
function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
