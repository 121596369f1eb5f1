import type { Metric as PromMetric, Registry, RegistryContentType } from "prom-client";

import type { AnswerRateUnit, Granularity, Labels } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { FAILURE_REASONS, type FailureReason } from "../vobiz/errors.js";
import type { NumberHealth, Snapshot } from "../vobiz/health.js";
import { answerRatio, newestCompletePeriod } from "./answer-ratio.js";
import { registryMetric } from "./family.js";
import { closeLabels, extraLabel, labelPrefix, withLabel } from "./label-sets.js";
import {
  KNOWN_STATUSES,
  KNOWN_USAGE_STATUSES,
  NUMBER_METRICS,
  type MetricDefinition,
} from "./names.js";
import {
  familyHeader,
  familySeparator,
  formatValue,
  type ExpositionFormat,
} from "./text-format.js";

/** How health answers are read into metrics. */
export interface RenderOptions {
  readonly answerRateUnit: AnswerRateUnit;
  readonly granularity: Granularity;
  /** The scrape's clock, which decides which snapshot period is complete. */
  readonly nowMs: number;
}

/** What the families read of one number in one scrape, worked out once. */
interface NumberView {
  readonly labels: Labels;
  /** The label text up to the closing brace, kept across scrapes. */
  readonly prefix: string;
  readonly outcome: NumberOutcome;
  readonly health?: NumberHealth;
  readonly answerRatio?: number;
  /** The newest snapshot whose period has ended. */
  readonly period?: Snapshot;
  readonly periodAnswerRatio?: number;
  readonly granularity: Granularity;
}

/** Takes one series: its value (none leaves the series out) and an extra label. */
type Emit = (value: number | undefined, extraName?: string, extraValue?: string) => void;

interface FamilySpec {
  readonly definition: MetricDefinition;
  readonly type: "gauge" | "counter";
  /** Emits the number's series of this family, in order. */
  readonly series: (view: NumberView, emit: Emit) => void;
}

const gauge = (
  definition: MetricDefinition,
  series: FamilySpec["series"],
): FamilySpec => ({ definition, type: "gauge", series });

/** A family with one series per number, labelled `granularity`, from its last period. */
const lastPeriod = (
  definition: MetricDefinition,
  value: (period: Snapshot, view: NumberView) => number | undefined,
): FamilySpec =>
  gauge(definition, (view, emit) => {
    if (view.period === undefined) return;
    emit(value(view.period, view), "granularity", view.granularity);
  });

const M = NUMBER_METRICS;

/**
 * The per-number families in the order they are written, the error counter last. A
 * field missing from the answer leaves its series out; it is never reported as 0.
 */
const FAMILIES: readonly FamilySpec[] = [
  gauge(M.up, (v, emit) => emit(v.health === undefined ? 0 : 1)),
  gauge(M.calls, (v, emit) => emit(v.health?.summary.totalCalls)),
  gauge(M.answeredCalls, (v, emit) => emit(v.health?.summary.answeredCalls)),
  gauge(M.answerRatio, (v, emit) => emit(v.answerRatio)),
  gauge(M.callTime, (v, emit) => emit(times60(v.health?.summary.totalMinutes))),
  gauge(M.averageDuration, (v, emit) => emit(v.health?.summary.avgDuration)),
  gauge(M.window, (v, emit) => {
    const days = v.health?.summary.periodDays;
    emit(days === undefined ? undefined : days * 86_400);
  }),
  gauge(M.spam, (v, emit) => {
    const spam = v.health?.isSpam;
    emit(spam === undefined ? undefined : spam ? 1 : 0);
  }),
  gauge(M.status, (v, emit) => {
    const current = v.health?.status;
    if (current === undefined) return;
    for (const status of stateSet(KNOWN_STATUSES, current)) {
      emit(status === current ? 1 : 0, "status", status);
    }
  }),
  gauge(M.usageStatus, (v, emit) => {
    const current = v.health?.usageStatus;
    if (current === undefined) return;
    for (const usage of stateSet(KNOWN_USAGE_STATUSES, current)) {
      emit(usage === current ? 1 : 0, "usage_status", usage);
    }
  }),
  lastPeriod(M.lastPeriodCalls, (p) => p.totalCalls),
  lastPeriod(M.lastPeriodAnsweredCalls, (p) => p.answeredCalls),
  lastPeriod(M.lastPeriodFailedCalls, (p) => p.failedCalls),
  lastPeriod(M.lastPeriodAnswerRatio, (_p, v) => v.periodAnswerRatio),
  lastPeriod(M.lastPeriodCallTime, (p) => times60(p.totalMinutes) ?? p.totalDuration),
  lastPeriod(M.lastPeriodStart, (p) => p.startMs / 1000),
  gauge(M.lastSuccess, (v, emit) => {
    const ms = v.outcome.lastSuccessMs;
    emit(ms === undefined ? undefined : ms / 1000);
  }),
  gauge(M.scrapeDuration, (v, emit) => emit(v.outcome.seconds)),
  {
    definition: M.scrapeErrors,
    type: "counter",
    series: (v, emit) => {
      // Every reason starts at 0 so that increase() sees a number's first failure.
      const counts: ReadonlyMap<FailureReason, number> = v.outcome.errorCounts;
      for (const reason of FAILURE_REASONS) {
        emit(counts.get(reason) ?? 0, "reason", reason);
      }
    },
  },
];

/** About how long each piece of text from {@link numberMetricsText} is, in characters. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The text of the per-number metrics of one scrape, in pieces of about 64 KB, written
 * as a prom-client registry would write them. Only the numbers in `outcomes` appear, so
 * numbers no longer monitored vanish at once. The text is made as it is taken: a
 * 10,000-number scrape has 310,000 series and 27 MB of text, none of which has to be
 * held at once when the pieces are sent as they come.
 */
export function* numberMetricsText(
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
  format: ExpositionFormat,
): Generator<string, void, undefined> {
  const views = outcomes.map((outcome) => viewOf(outcome, options));
  let text = "";
  let name = "";
  let view: NumberView;
  // The family's HELP and TYPE, until its first series is written after them.
  let pendingHeader: string | undefined;
  let anyFamily = false;

  const emit: Emit = (value, extraName, extraValue = "") => {
    if (value === undefined) return;
    if (pendingHeader !== undefined) {
      text += pendingHeader;
      pendingHeader = undefined;
    }
    const { prefix } = view;
    const rest =
      extraName === undefined
        ? closeLabels(prefix)
        : extraLabel(prefix, extraName, extraValue);
    text += `${name}${prefix}${rest}${formatValue(value)}\n`;
  };

  for (const family of FAMILIES) {
    const { definition, type } = family;
    name = definition.name;
    const header = familyHeader(name, definition.help, type, format);
    pendingHeader = anyFamily ? familySeparator(format) + header : header;
    for (view of views) {
      family.series(view, emit);
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = "";
      }
    }
    if (pendingHeader === undefined) anyFamily = true;
  }
  if (text !== "") yield text;
}

/**
 * Registers the per-number metrics of `outcomes` in `registry`, a registry made for
 * them alone, for pages that show a few numbers' series. Scrapes use
 * {@link numberMetricsText}, which writes the same text with far less garbage.
 */
export function addNumberMetrics(
  registry: Registry<RegistryContentType>,
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
): void {
  const views = outcomes.map((outcome) => viewOf(outcome, options));
  for (const { definition, type, series } of FAMILIES) {
    const labelSets: Labels[] = [];
    const values: number[] = [];
    for (const view of views) {
      series(view, (value, extraName, extraValue = "") => {
        if (value === undefined) return;
        const { labels } = view;
        labelSets.push(
          extraName === undefined ? labels : withLabel(labels, extraName, extraValue),
        );
        values.push(value);
      });
    }
    if (values.length === 0) continue;
    const metric = registryMetric(definition, type, labelSets, values);
    registry.registerMetric(metric as unknown as PromMetric);
  }
}

function viewOf(outcome: NumberOutcome, options: RenderOptions): NumberView {
  const { labels } = outcome.target;
  const { health } = outcome;
  const { granularity, answerRateUnit, nowMs } = options;
  const period =
    health === undefined
      ? undefined
      : newestCompletePeriod(health.snapshots, granularity, nowMs);

  // Every field written out, no spread: a view made by spreading one object into
  // another took about 1 KB, and 10,000 of them lived long enough to be promoted.
  return {
    labels,
    prefix: labelPrefix(labels),
    outcome,
    health,
    granularity,
    answerRatio:
      health === undefined ? undefined : answerRatio(health.summary, answerRateUnit),
    period,
    periodAnswerRatio:
      period === undefined ? undefined : answerRatio(period, answerRateUnit),
  };
}

/** Known states plus the current one when Vobiz sent a value not yet documented. */
function stateSet(known: readonly string[], current: string): readonly string[] {
  return known.includes(current) ? known : [...known, current];
}

function times60(minutes: number | undefined): number | undefined {
  return minutes === undefined ? undefined : Math.round(minutes * 60 * 1000) / 1000;
}
