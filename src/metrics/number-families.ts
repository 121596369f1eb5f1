import type { AnswerRateUnit, Granularity, Labels } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { FAILURE_REASONS, type FailureReason } from "../vobiz/errors.js";
import type { NumberHealth, Snapshot } from "../vobiz/health.js";
import { answerRatio, newestCompletePeriod } from "./answer-ratio.js";
import { labelPrefix } from "./label-sets.js";
import {
  KNOWN_STATUSES,
  KNOWN_USAGE_STATUSES,
  NUMBER_METRICS,
  type MetricDefinition,
} from "./names.js";

/** How health answers are read into metrics. */
export interface RenderOptions {
  readonly answerRateUnit: AnswerRateUnit;
  readonly granularity: Granularity;
  /** When the scrape began, which decides which snapshot period is complete. */
  readonly nowMs: number;
}

/** What the families read of one number in one scrape, worked out once. */
export interface NumberView {
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
export type Emit = (
  value: number | undefined,
  extraName?: string,
  extraValue?: string,
) => void;

export interface FamilySpec {
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
export const FAMILIES: readonly FamilySpec[] = [
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

export function viewOf(outcome: NumberOutcome, options: RenderOptions): NumberView {
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
