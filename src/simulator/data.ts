import {
  answerRate,
  averageDuration,
  completeTally,
  profileOf,
  seriesSeed,
  snapshotId,
  stepOf,
  tallyAt,
  totalMinutes,
} from "./periods.js";
import type { Tally } from "./periods.js";
import type { SimNumber } from "./types.js";

/** Snapshot size of the health endpoint. */
export type Granularity = "daily" | "hourly";

/** The query of a health request, after defaults. */
export interface HealthQuery {
  granularity: Granularity;
  /** Window size in days, a positive integer. */
  days: number;
}

/** One period of the health window, as the simulator sends it. */
export interface HealthSnapshot {
  id: string;
  /** Period start, e.g. `2026-06-04T00:00:00Z`. */
  ts: string;
  total_calls: number;
  answered_calls: number;
  failed_calls: number;
  /** Percent, 0 to 100, two decimals; 0 when there were no calls. */
  answer_rate: number;
  /** Seconds of answered calls. */
  total_duration: number;
  /** Seconds per answered call, two decimals; 0 when none was answered. */
  avg_duration: number;
  /** `total_duration / 60`, two decimals. */
  total_minutes: number;
}

/** Totals over the whole window. */
export interface HealthSummary {
  period_days: number;
  total_calls: number;
  answered_calls: number;
  answer_rate: number;
  total_minutes: number;
  avg_duration: number;
}

/** The 200 body of the health endpoint. */
export interface HealthBody {
  e164: string;
  status: string;
  usage_status: string;
  is_spam: boolean;
  granularity: Granularity;
  summary: HealthSummary;
  snapshots: HealthSnapshot[];
}

/**
 * The body the simulator sends for a number at a clock. Complete periods depend only on
 * the number and the period start; the newest period (still running at `now`) holds the
 * calls of its elapsed part, so it grows until the period ends.
 */
export function healthBody(n: SimNumber, query: HealthQuery, now: Date): HealthBody {
  checkDays(query.days);
  const step = stepOf(query.granularity);
  const profile = profileOf(n);
  const seed = seriesSeed(n.e164, query.granularity);
  const nowMs = now.getTime();
  const tallies = periodStarts(query, nowMs).map((start) => {
    const elapsed = Math.min(1, (nowMs - start) / step);
    const complete = completeTally(profile, query.granularity, seed, start);
    return { start, tally: tallyAt(complete, elapsed) };
  });

  return {
    e164: n.e164,
    status: n.status ?? "active",
    usage_status: n.usageStatus ?? "unrated",
    is_spam: n.isSpam ?? false,
    granularity: query.granularity,
    summary: toSummary(query.days, sumOf(tallies.map((t) => t.tally))),
    snapshots: tallies.map(({ start, tally }) => toSnapshot(seed, start, tally)),
  };
}

/** Throws unless the window is a positive integer of days. */
export function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`days must be a positive integer (got ${days})`);
  }
}

/** Period starts of the window ending at `nowMs`, oldest first; the last holds `nowMs`. */
export function periodStarts(query: HealthQuery, nowMs: number): number[] {
  const step = stepOf(query.granularity);
  const count = query.granularity === "daily" ? query.days : query.days * 24;
  const current = Math.floor(nowMs / step) * step;
  return Array.from({ length: count }, (_, i) => current - (count - 1 - i) * step);
}

/** ISO time without milliseconds, as the upstream writes it: `2026-06-04T00:00:00Z`. */
export function isoSeconds(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    // Every number shares the same period starts; caching spares thousands of Dates.
    if (isoCache.size >= 20_000) isoCache.clear();
    text = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    isoCache.set(ms, text);
  }
  return text;
}

const isoCache = new Map<number, string>();

/** The snapshot of the period starting at `start`, with the figures it shows now. */
export function toSnapshot(seed: number, start: number, tally: Tally): HealthSnapshot {
  return {
    id: snapshotId(seed, start),
    ts: isoSeconds(start),
    total_calls: tally.total,
    answered_calls: tally.answered,
    failed_calls: tally.total - tally.answered,
    answer_rate: answerRate(tally),
    total_duration: tally.duration,
    avg_duration: averageDuration(tally),
    total_minutes: totalMinutes(tally),
  };
}

/** The summary of a window of `days` whose periods add up to `sum`. */
export function toSummary(days: number, sum: Tally): HealthSummary {
  return {
    period_days: days,
    total_calls: sum.total,
    answered_calls: sum.answered,
    answer_rate: answerRate(sum),
    total_minutes: totalMinutes(sum),
    avg_duration: averageDuration(sum),
  };
}

/** Calls added up over periods. */
export function sumOf(tallies: readonly Tally[]): Tally {
  const sum = { total: 0, answered: 0, duration: 0 };
  for (const tally of tallies) {
    sum.total += tally.total;
    sum.answered += tally.answered;
    sum.duration += tally.duration;
  }
  return sum;
}
