import { hash32, mixSeed, randomFor, seededRandom, uuidFromSeed } from "./prng.js";
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

interface Tally {
  total: number;
  answered: number;
  duration: number;
}

interface Profile {
  callsPerDay: number;
  answerProbability: number;
  /** Seconds per answered call. */
  meanDuration: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The body the simulator sends for a number at a clock. Complete periods depend only on
 * the number and the period start; the newest period (still running at `now`) holds the
 * calls of its elapsed part, so it grows until the period ends.
 */
export function healthBody(n: SimNumber, query: HealthQuery, now: Date): HealthBody {
  if (!Number.isInteger(query.days) || query.days < 1) {
    throw new RangeError(`days must be a positive integer (got ${query.days})`);
  }
  const step = query.granularity === "daily" ? DAY_MS : HOUR_MS;
  const profile = profileOf(n);
  const seed = hash32(`${n.e164}|${query.granularity}`);
  const nowMs = now.getTime();
  const tallies = periodStarts(query, nowMs).map((start) => {
    const elapsed = Math.min(1, (nowMs - start) / step);
    const periodSeed = mixSeed(seed, start);
    const tally = profile
      ? periodTally(profile, query.granularity, periodSeed, elapsed)
      : EMPTY;
    return { start, tally };
  });

  return {
    e164: n.e164,
    status: n.status ?? "active",
    usage_status: n.usageStatus ?? "unrated",
    is_spam: n.isSpam ?? false,
    granularity: query.granularity,
    summary: summarize(
      query.days,
      tallies.map((t) => t.tally),
    ),
    snapshots: tallies.map(({ start, tally }) => toSnapshot(seed, start, tally)),
  };
}

/** Period starts of the window ending at `nowMs`, oldest first; the last holds `nowMs`. */
export function periodStarts(query: HealthQuery, nowMs: number): number[] {
  const step = query.granularity === "daily" ? DAY_MS : HOUR_MS;
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

const EMPTY: Tally = { total: 0, answered: 0, duration: 0 };

function profileOf(n: SimNumber): Profile | undefined {
  const traffic = n.traffic ?? "normal";
  if (traffic === "none") return undefined;

  const random = randomFor("profile", n.e164);
  const callsPerDay = 30 + Math.floor(random() * 90);
  const answerProbability =
    traffic === "low_answer" ? 0.15 + random() * 0.1 : 0.55 + random() * 0.3;
  const meanDuration = 90 + random() * 150;
  return { callsPerDay, answerProbability, meanDuration };
}

function periodTally(
  profile: Profile,
  granularity: Granularity,
  seed: number,
  elapsed: number,
): Tally {
  const random = seededRandom(seed);
  const mean = granularity === "daily" ? profile.callsPerDay : profile.callsPerDay / 24;
  const total = Math.max(1, Math.round(mean * (0.6 + random() * 0.8)));
  const p = profile.answerProbability;
  const spread = (random() + random() - 1) * 2 * Math.sqrt(total * p * (1 - p));
  const answered = Math.min(total, Math.max(0, Math.round(total * p + spread)));
  const duration = Math.round(answered * profile.meanDuration * (0.8 + random() * 0.4));
  if (elapsed >= 1) return { total, answered, duration };

  // A running period shows the elapsed share of the calls it will end with, so its
  // figures only grow until it completes.
  const partTotal = Math.floor(total * elapsed);
  const partAnswered = Math.floor(answered * elapsed);
  const partDuration =
    answered === 0 ? 0 : Math.round((duration * partAnswered) / answered);
  return { total: partTotal, answered: partAnswered, duration: partDuration };
}

function toSnapshot(seed: number, start: number, tally: Tally): HealthSnapshot {
  return {
    id: uuidFromSeed(mixSeed(seed ^ 0x5bd1e995, start)),
    ts: isoSeconds(start),
    total_calls: tally.total,
    answered_calls: tally.answered,
    failed_calls: tally.total - tally.answered,
    answer_rate: answerRate(tally),
    total_duration: tally.duration,
    avg_duration: averageDuration(tally),
    total_minutes: round2(tally.duration / 60),
  };
}

function summarize(days: number, tallies: Tally[]): HealthSummary {
  const sum = { total: 0, answered: 0, duration: 0 };
  for (const tally of tallies) {
    sum.total += tally.total;
    sum.answered += tally.answered;
    sum.duration += tally.duration;
  }
  return {
    period_days: days,
    total_calls: sum.total,
    answered_calls: sum.answered,
    answer_rate: answerRate(sum),
    total_minutes: round2(sum.duration / 60),
    avg_duration: averageDuration(sum),
  };
}

function answerRate(tally: Tally): number {
  return tally.total === 0 ? 0 : round2((100 * tally.answered) / tally.total);
}

function averageDuration(tally: Tally): number {
  return tally.answered === 0 ? 0 : round2(tally.duration / tally.answered);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
