import { hash32, mixSeed, randomFor, seededRandom, uuidFromSeed } from "./prng.js";
import type { Granularity } from "./data.js";
import type { SimNumber, Traffic } from "./types.js";

/** Calls of one period: how many, how many were answered, and their seconds. */
export interface Tally {
  total: number;
  answered: number;
  duration: number;
}

/** The traffic of a number with calls. */
export interface Profile {
  callsPerDay: number;
  answerProbability: number;
  /** Seconds per answered call. */
  meanDuration: number;
}

/** A period without calls. */
export const EMPTY_TALLY: Readonly<Tally> = { total: 0, answered: 0, duration: 0 };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Length of one period, in milliseconds. */
export function stepOf(granularity: Granularity): number {
  return granularity === "daily" ? DAY_MS : HOUR_MS;
}

/** The traffic a number's figures follow; unknown kinds count as `normal`. */
export function trafficOf(n: SimNumber): Traffic {
  return n.traffic === "none" || n.traffic === "low_answer" ? n.traffic : "normal";
}

/** The profile of a number's calls; undefined for a number without traffic. */
export function profileOf(n: SimNumber): Profile | undefined {
  const traffic = trafficOf(n);
  if (traffic === "none") return undefined;

  const random = randomFor("profile", n.e164);
  const callsPerDay = 30 + Math.floor(random() * 90);
  const answerProbability =
    traffic === "low_answer" ? 0.15 + random() * 0.1 : 0.55 + random() * 0.3;
  const meanDuration = 90 + random() * 150;
  return { callsPerDay, answerProbability, meanDuration };
}

/** The seed of a number's periods at one granularity. */
export function seriesSeed(e164: string, granularity: Granularity): number {
  return hash32(`${e164}|${granularity}`);
}

/** The id of the snapshot of the period starting at `start`. */
export function snapshotId(seed: number, start: number): string {
  return uuidFromSeed(mixSeed(seed ^ 0x5bd1e995, start));
}

/** The figures a period starting at `start` has once it is complete. */
export function completeTally(
  profile: Profile | undefined,
  granularity: Granularity,
  seed: number,
  start: number,
): Tally {
  if (!profile) return EMPTY_TALLY;

  const random = seededRandom(mixSeed(seed, start));
  const mean = granularity === "daily" ? profile.callsPerDay : profile.callsPerDay / 24;
  const total = Math.max(1, Math.round(mean * (0.6 + random() * 0.8)));
  const p = profile.answerProbability;
  const spread = (random() + random() - 1) * 2 * Math.sqrt(total * p * (1 - p));
  const answered = Math.min(total, Math.max(0, Math.round(total * p + spread)));
  const duration = Math.round(answered * profile.meanDuration * (0.8 + random() * 0.4));
  return { total, answered, duration };
}

/**
 * What a period shows when `elapsed` (0 to 1) of it has passed: a running period shows
 * the elapsed share of the calls it will end with, so its figures only grow.
 */
export function tallyAt(complete: Tally, elapsed: number): Tally {
  if (elapsed >= 1) return complete;

  const total = Math.floor(complete.total * elapsed);
  const answered = Math.floor(complete.answered * elapsed);
  const duration =
    complete.answered === 0
      ? 0
      : Math.round((complete.duration * answered) / complete.answered);
  return { total, answered, duration };
}

/** Percent of calls answered, two decimals; 0 when there were no calls. */
export function answerRate(tally: Tally): number {
  return tally.total === 0 ? 0 : round2((100 * tally.answered) / tally.total);
}

/** Seconds per answered call, two decimals; 0 when none was answered. */
export function averageDuration(tally: Tally): number {
  return tally.answered === 0 ? 0 : round2(tally.duration / tally.answered);
}

/** Minutes of answered calls, two decimals. */
export function totalMinutes(tally: Tally): number {
  return round2(tally.duration / 60);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
