import { Counter, Gauge, type Registry, type RegistryContentType } from "prom-client";

import type { AnswerRateUnit, Granularity, Labels } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { FAILURE_REASONS } from "../vobiz/errors.js";
import type { NumberHealth } from "../vobiz/health.js";
import { answerRatio, newestCompletePeriod } from "./answer-ratio.js";
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
  /** The scrape's clock, which decides which snapshot period is complete. */
  readonly nowMs: number;
}

type Metric = keyof typeof NUMBER_METRICS;

/**
 * Registers the per-number metrics of one scrape in `registry`, a registry made for
 * that scrape alone so that numbers no longer monitored vanish at once. A field that
 * is missing from the answer leaves its series out; it is never reported as 0.
 */
export function addNumberMetrics(
  registry: Registry<RegistryContentType>,
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
): void {
  const labelNames = unionOfLabelNames(outcomes);
  const gauges = new Map<Metric, Gauge>();
  const gauge = (metric: Metric): Gauge => {
    let made = gauges.get(metric);
    if (made === undefined) {
      made = new Gauge(metricOptions(NUMBER_METRICS[metric], labelNames, registry));
      gauges.set(metric, made);
    }
    return made;
  };

  for (const outcome of outcomes) {
    const labels = outcome.target.labels;
    gauge("up").set(labels, outcome.health === undefined ? 0 : 1);
    if (outcome.health !== undefined) {
      addHealth(gauge, labels, outcome.health, options);
    }
    if (outcome.lastSuccessMs !== undefined) {
      gauge("lastSuccess").set(labels, outcome.lastSuccessMs / 1000);
    }
    gauge("scrapeDuration").set(labels, outcome.seconds);
  }

  const errors = new Counter(
    metricOptions(NUMBER_METRICS.scrapeErrors, labelNames, registry),
  );
  for (const outcome of outcomes) {
    // Every reason starts at 0 so that increase() sees a number's first failure.
    for (const reason of FAILURE_REASONS) {
      errors.inc(
        { ...outcome.target.labels, reason },
        outcome.errorCounts.get(reason) ?? 0,
      );
    }
  }
}

function addHealth(
  gauge: (metric: Metric) => Gauge,
  labels: Labels,
  health: NumberHealth,
  options: RenderOptions,
): void {
  const set = (metric: Metric, value: number | undefined, extra: Labels = {}) => {
    if (value !== undefined) gauge(metric).set({ ...labels, ...extra }, value);
  };
  const { summary } = health;

  set("calls", summary.totalCalls);
  set("answeredCalls", summary.answeredCalls);
  set("answerRatio", answerRatio(summary, options.answerRateUnit));
  set("callTime", times60(summary.totalMinutes));
  set("averageDuration", summary.avgDuration);
  set(
    "window",
    summary.periodDays === undefined ? undefined : summary.periodDays * 86_400,
  );
  if (health.isSpam !== undefined) set("spam", health.isSpam ? 1 : 0);

  if (health.status !== undefined) {
    for (const status of stateSet(KNOWN_STATUSES, health.status)) {
      set("status", status === health.status ? 1 : 0, { status });
    }
  }
  if (health.usageStatus !== undefined) {
    for (const usage of stateSet(KNOWN_USAGE_STATUSES, health.usageStatus)) {
      set("usageStatus", usage === health.usageStatus ? 1 : 0, { usage_status: usage });
    }
  }

  const period = newestCompletePeriod(
    health.snapshots,
    options.granularity,
    options.nowMs,
  );
  if (period !== undefined) {
    const granularity = { granularity: options.granularity };
    set("lastPeriodCalls", period.totalCalls, granularity);
    set("lastPeriodAnsweredCalls", period.answeredCalls, granularity);
    set("lastPeriodFailedCalls", period.failedCalls, granularity);
    set(
      "lastPeriodAnswerRatio",
      answerRatio(period, options.answerRateUnit),
      granularity,
    );
    set("lastPeriodCallTime", periodCallTime(period), granularity);
    set("lastPeriodStart", period.startMs / 1000, granularity);
  }
}

/** Known states plus the current one when Vobiz sent a value not yet documented. */
function stateSet(known: readonly string[], current: string): readonly string[] {
  return known.includes(current) ? known : [...known, current];
}

function periodCallTime(period: {
  totalMinutes?: number;
  totalDuration?: number;
}): number | undefined {
  return times60(period.totalMinutes) ?? period.totalDuration;
}

function times60(minutes: number | undefined): number | undefined {
  return minutes === undefined ? undefined : Math.round(minutes * 60 * 1000) / 1000;
}

function unionOfLabelNames(outcomes: readonly NumberOutcome[]): string[] {
  const names = new Set<string>();
  for (const outcome of outcomes) {
    for (const name of Object.keys(outcome.target.labels)) names.add(name);
  }
  return [...names];
}

function metricOptions(
  definition: MetricDefinition,
  labelNames: string[],
  registry: Registry<RegistryContentType>,
) {
  return {
    name: definition.name,
    help: definition.help,
    labelNames: [...labelNames, ...(definition.extraLabels ?? [])],
    registers: [registry],
  };
}
