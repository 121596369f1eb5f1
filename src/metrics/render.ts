import type { Metric as PromMetric, Registry, RegistryContentType } from "prom-client";

import type { AnswerRateUnit, Granularity, Labels } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { FAILURE_REASONS } from "../vobiz/errors.js";
import type { NumberHealth } from "../vobiz/health.js";
import { answerRatio, newestCompletePeriod } from "./answer-ratio.js";
import { withLabel } from "./label-sets.js";
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
 * One series. prom-client formats `labels` afresh for every series but keeps the text
 * of `sharedLabels` per object, so every series passes its whole label set there: a
 * number's label sets are the same objects in every scrape (see {@link withLabel}).
 */
interface Sample {
  readonly labels: Labels;
  readonly sharedLabels: Labels;
  readonly value: number;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * One metric family of one scrape, in the shape prom-client's registry serialises
 * (`name`, `help`, `type`, `get()`). A Gauge would hash and validate the labels of
 * every series on `set`, work that a registry made for one scrape never needs: each
 * series is written once, and the labels were validated with the configuration.
 */
class Family {
  readonly values: Sample[] = [];

  constructor(
    // The registry strips a counter's `_total` here for OpenMetrics, as with Counter.
    public name: string,
    readonly help: string,
    readonly type: "gauge" | "counter",
  ) {}

  get() {
    const { name, help, type, values } = this;
    return { name, help, type, values, aggregator: "sum" as const };
  }
}

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
  const families = new Map<Metric, Family>();
  const family = (metric: Metric): Family => {
    let made = families.get(metric);
    if (made === undefined) {
      made = newFamily(NUMBER_METRICS[metric], "gauge", registry);
      families.set(metric, made);
    }
    return made;
  };
  const set: Setter = (metric, labels, value) => {
    family(metric).values.push({ labels: NO_LABELS, sharedLabels: labels, value });
  };

  for (const outcome of outcomes) {
    const labels = outcome.target.labels;
    set("up", labels, outcome.health === undefined ? 0 : 1);
    if (outcome.health !== undefined) {
      addHealth(set, labels, outcome.health, options);
    }
    if (outcome.lastSuccessMs !== undefined) {
      set("lastSuccess", labels, outcome.lastSuccessMs / 1000);
    }
    set("scrapeDuration", labels, outcome.seconds);
  }

  const errors = newFamily(NUMBER_METRICS.scrapeErrors, "counter", registry);
  for (const outcome of outcomes) {
    // Every reason starts at 0 so that increase() sees a number's first failure.
    for (const reason of FAILURE_REASONS) {
      errors.values.push({
        labels: NO_LABELS,
        sharedLabels: withLabel(outcome.target.labels, "reason", reason),
        value: outcome.errorCounts.get(reason) ?? 0,
      });
    }
  }
}

type Setter = (metric: Metric, labels: Labels, value: number) => void;

function newFamily(
  definition: MetricDefinition,
  type: "gauge" | "counter",
  registry: Registry<RegistryContentType>,
): Family {
  const family = new Family(definition.name, definition.help, type);
  registry.registerMetric(family as unknown as PromMetric);
  return family;
}

function addHealth(
  setSample: Setter,
  labels: Labels,
  health: NumberHealth,
  options: RenderOptions,
): void {
  const set = (metric: Metric, value: number | undefined, series = labels) => {
    if (value !== undefined) setSample(metric, series, value);
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
      set(
        "status",
        status === health.status ? 1 : 0,
        withLabel(labels, "status", status),
      );
    }
  }
  if (health.usageStatus !== undefined) {
    for (const usage of stateSet(KNOWN_USAGE_STATUSES, health.usageStatus)) {
      const series = withLabel(labels, "usage_status", usage);
      set("usageStatus", usage === health.usageStatus ? 1 : 0, series);
    }
  }

  const period = newestCompletePeriod(
    health.snapshots,
    options.granularity,
    options.nowMs,
  );
  if (period !== undefined) {
    const granularity = withLabel(labels, "granularity", options.granularity);
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
