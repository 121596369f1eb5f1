import type { Metric as PromMetric, Registry, RegistryContentType } from "prom-client";

import type { AnswerRateUnit, Granularity } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { FAILURE_REASONS } from "../vobiz/errors.js";
import type { NumberHealth } from "../vobiz/health.js";
import { answerRatio, newestCompletePeriod } from "./answer-ratio.js";
import { Family, type NumberSeries } from "./family.js";
import { labelPrefix } from "./label-sets.js";
import { KNOWN_STATUSES, KNOWN_USAGE_STATUSES, NUMBER_METRICS } from "./names.js";
import { familySeparator, type ExpositionFormat } from "./text-format.js";

/** How health answers are read into metrics. */
export interface RenderOptions {
  readonly answerRateUnit: AnswerRateUnit;
  readonly granularity: Granularity;
  /** The scrape's clock, which decides which snapshot period is complete. */
  readonly nowMs: number;
}

type Metric = keyof typeof NUMBER_METRICS;

/**
 * Appends the text of the per-number metrics of one scrape to `parts`, family by
 * family in the order each family first appears, the error counter last, as a
 * prom-client registry would write them. Only the numbers in `outcomes` appear, so
 * numbers no longer monitored vanish at once. A field missing from the answer leaves
 * its series out; it is never reported as 0.
 */
export function writeNumberMetrics(
  parts: string[],
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
  format: ExpositionFormat,
): void {
  collectFamilies(outcomes, options, false).forEach((family, i) => {
    if (i > 0) parts.push(familySeparator(format));
    family.write(parts, format);
  });
}

/**
 * Registers the per-number metrics of `outcomes` in `registry`, a registry made for
 * them alone, for pages that show a few numbers' series; scrapes use
 * {@link writeNumberMetrics}, which writes the same text with far less garbage.
 */
export function addNumberMetrics(
  registry: Registry<RegistryContentType>,
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
): void {
  for (const family of collectFamilies(outcomes, options, true)) {
    registry.registerMetric(family.toRegistryMetric() as unknown as PromMetric);
  }
}

function collectFamilies(
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
  forRegistry: boolean,
): Family[] {
  const families = new Map<Metric, Family>();
  const set: Setter = (metric, number, value, extraName, extraValue) => {
    let family = families.get(metric);
    if (family === undefined) {
      family = new Family(NUMBER_METRICS[metric], "gauge", { forRegistry });
      families.set(metric, family);
    }
    family.add(number, value, extraName, extraValue);
  };

  // One per number and scrape; the label text itself is kept across scrapes.
  const numbers = outcomes.map(({ target }): NumberSeries => ({
    labels: target.labels,
    prefix: labelPrefix(target.labels),
  }));
  outcomes.forEach((outcome, i) => {
    const number = numbers[i]!;
    set("up", number, outcome.health === undefined ? 0 : 1);
    if (outcome.health !== undefined) addHealth(set, number, outcome.health, options);
    if (outcome.lastSuccessMs !== undefined) {
      set("lastSuccess", number, outcome.lastSuccessMs / 1000);
    }
    set("scrapeDuration", number, outcome.seconds);
  });

  const errors = new Family(NUMBER_METRICS.scrapeErrors, "counter", { forRegistry });
  outcomes.forEach((outcome, i) => {
    // Every reason starts at 0 so that increase() sees a number's first failure.
    for (const reason of FAILURE_REASONS) {
      errors.add(numbers[i]!, outcome.errorCounts.get(reason) ?? 0, "reason", reason);
    }
  });
  return [...families.values(), errors];
}

type Setter = (
  metric: Metric,
  number: NumberSeries,
  value: number,
  extraName?: string,
  extraValue?: string,
) => void;

function addHealth(
  setSample: Setter,
  number: NumberSeries,
  health: NumberHealth,
  options: RenderOptions,
): void {
  const set = (
    metric: Metric,
    value: number | undefined,
    extraName?: string,
    extraValue?: string,
  ) => {
    if (value !== undefined) setSample(metric, number, value, extraName, extraValue);
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
      set("status", status === health.status ? 1 : 0, "status", status);
    }
  }
  if (health.usageStatus !== undefined) {
    for (const usage of stateSet(KNOWN_USAGE_STATUSES, health.usageStatus)) {
      const value = usage === health.usageStatus ? 1 : 0;
      set("usageStatus", value, "usage_status", usage);
    }
  }

  const period = newestCompletePeriod(
    health.snapshots,
    options.granularity,
    options.nowMs,
  );
  if (period !== undefined) {
    const g = options.granularity;
    set("lastPeriodCalls", period.totalCalls, "granularity", g);
    set("lastPeriodAnsweredCalls", period.answeredCalls, "granularity", g);
    set("lastPeriodFailedCalls", period.failedCalls, "granularity", g);
    const ratio = answerRatio(period, options.answerRateUnit);
    set("lastPeriodAnswerRatio", ratio, "granularity", g);
    set("lastPeriodCallTime", periodCallTime(period), "granularity", g);
    set("lastPeriodStart", period.startMs / 1000, "granularity", g);
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
