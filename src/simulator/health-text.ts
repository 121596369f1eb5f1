import { checkDays, periodStarts, sumOf, toSnapshot, toSummary } from "./data.js";
import type { HealthQuery, HealthSnapshot } from "./data.js";
import {
  completeTally,
  profileOf,
  seriesSeed,
  stepOf,
  tallyAt,
  trafficOf,
} from "./periods.js";
import type { Tally } from "./periods.js";
import type { SimNumber } from "./types.js";

/** A window's complete periods, fixed once the running period is known. */
interface CompletePart {
  /** Start of the running period this part goes with. */
  runningStart: number;
  /** JSON of the complete snapshots, comma-separated; empty when there are none. */
  text: string;
  /** Calls summed over the complete periods. */
  sum: Tally;
  /** Figures the running period will have once complete. */
  runningComplete: Tally;
  /** Seed of the number's periods at this granularity. */
  seed: number;
}

// The 10,000 numbers of the benchmark, 30 daily periods each, need about 62 million
// characters. Past the cap the cache starts again, so memory stays bounded.
const MAX_CACHED_CHARS = 128 * 1024 * 1024;
// What an entry costs besides its text (key, figures, seed), estimated in characters.
const ENTRY_CHARS = 256;

const completeParts = new Map<string, CompletePart>();
let cachedChars = 0;

/**
 * `JSON.stringify(healthBody(n, query, now))`, byte for byte, from the same pieces: the
 * complete periods' JSON is memoised per number, window and running period, so only
 * the running period, the summary and the number's own fields are written per call.
 */
export function healthText(n: SimNumber, query: HealthQuery, now: Date): string {
  checkDays(query.days);
  const step = stepOf(query.granularity);
  const nowMs = now.getTime();
  const runningStart = Math.floor(nowMs / step) * step;
  const part = completePartOf(n, query, runningStart);

  const elapsed = Math.min(1, (nowMs - runningStart) / step);
  const running = tallyAt(part.runningComplete, elapsed);
  const runningText = JSON.stringify(toSnapshot(part.seed, runningStart, running));
  const snapshots = part.text === "" ? runningText : `${part.text},${runningText}`;

  const head = JSON.stringify({
    e164: n.e164,
    status: n.status ?? "active",
    usage_status: n.usageStatus ?? "unrated",
    is_spam: n.isSpam ?? false,
    granularity: query.granularity,
  });
  // Call counts and seconds are integers, so adding them up in another order is exact.
  const summary = JSON.stringify(toSummary(query.days, sumOf([part.sum, running])));
  return `${head.slice(0, -1)},"summary":${summary},"snapshots":[${snapshots}]}`;
}

function completePartOf(
  n: SimNumber,
  query: HealthQuery,
  runningStart: number,
): CompletePart {
  // Every part but the E.164 number comes from a closed set, so keys cannot collide.
  const key = `${query.granularity}|${query.days}|${trafficOf(n)}|${n.e164}`;
  const cached = completeParts.get(key);
  if (cached?.runningStart === runningStart) return cached;

  const part = buildCompletePart(n, query, runningStart);
  if (cached) cachedChars -= costOf(cached);
  if (cachedChars + costOf(part) > MAX_CACHED_CHARS) {
    completeParts.clear();
    cachedChars = 0;
  }
  completeParts.set(key, part);
  cachedChars += costOf(part);
  return part;
}

function buildCompletePart(
  n: SimNumber,
  query: HealthQuery,
  runningStart: number,
): CompletePart {
  const profile = profileOf(n);
  const seed = seriesSeed(n.e164, query.granularity);
  const starts = periodStarts(query, runningStart).slice(0, -1);

  const tallies: Tally[] = [];
  const snapshots: HealthSnapshot[] = [];
  for (const start of starts) {
    const tally = completeTally(profile, query.granularity, seed, start);
    tallies.push(tally);
    snapshots.push(toSnapshot(seed, start, tally));
  }

  return {
    runningStart,
    text: JSON.stringify(snapshots).slice(1, -1), // without the brackets
    sum: sumOf(tallies),
    runningComplete: completeTally(profile, query.granularity, seed, runningStart),
    seed,
  };
}

function costOf(part: CompletePart): number {
  return part.text.length + ENTRY_CHARS;
}
