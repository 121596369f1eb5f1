import { checkDays, isoSeconds, periodStarts } from "./data.js";
import type { HealthQuery } from "./data.js";
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
  runningId: string;
  runningTs: string;
}

// The 10,000 numbers of the benchmark, 30 daily periods each, need about 62 million
// characters. Past the cap the cache starts again, so memory stays bounded.
const MAX_CACHED_CHARS = 128 * 1024 * 1024;
// What an entry costs besides its text: key, figures, ids. An estimate, in characters.
const ENTRY_CHARS = 256;

const completeParts = new Map<string, CompletePart>();
let cachedChars = 0;

/**
 * `JSON.stringify(healthBody(n, query, now))`, byte for byte, without building it: the
 * complete periods' text is memoised per number, window and running period, so only
 * the running period and the summary are written per call.
 */
export function healthText(n: SimNumber, query: HealthQuery, now: Date): string {
  checkDays(query.days);
  const step = stepOf(query.granularity);
  const nowMs = now.getTime();
  const runningStart = Math.floor(nowMs / step) * step;
  const part = completePartOf(n, query, runningStart);

  const elapsed = Math.min(1, (nowMs - runningStart) / step);
  const running = tallyAt(part.runningComplete, elapsed);
  const runningText = snapshotText(part.runningId, part.runningTs, running);
  const snapshots = part.text === "" ? runningText : `${part.text},${runningText}`;

  const head = JSON.stringify({
    e164: n.e164,
    status: n.status ?? "active",
    usage_status: n.usageStatus ?? "unrated",
    is_spam: n.isSpam ?? false,
    granularity: query.granularity,
  });
  const summary = summaryText(query.days, plus(part.sum, running));
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

  const snapshots: string[] = [];
  let sum: Tally = { total: 0, answered: 0, duration: 0 };
  for (const start of starts) {
    const tally = completeTally(profile, query.granularity, seed, start);
    sum = plus(sum, tally);
    snapshots.push(snapshotText(snapshotId(seed, start), isoSeconds(start), tally));
  }

  return {
    runningStart,
    // join() leaves one flat string, which holds the text more compactly than a rope.
    text: snapshots.join(","),
    sum,
    runningComplete: completeTally(profile, query.granularity, seed, runningStart),
    runningId: snapshotId(seed, runningStart),
    runningTs: isoSeconds(runningStart),
  };
}

function costOf(part: CompletePart): number {
  return part.text.length + ENTRY_CHARS;
}

// Numbers here are integers or rounded to two decimals, all finite, so a template
// writes them exactly as JSON.stringify does. Ids and timestamps need no escaping.

function snapshotText(id: string, ts: string, tally: Tally): string {
  return (
    `{"id":"${id}","ts":"${ts}","total_calls":${tally.total},` +
    `"answered_calls":${tally.answered},"failed_calls":${tally.total - tally.answered},` +
    `"answer_rate":${answerRate(tally)},"total_duration":${tally.duration},` +
    `"avg_duration":${averageDuration(tally)},"total_minutes":${totalMinutes(tally)}}`
  );
}

function summaryText(days: number, sum: Tally): string {
  return (
    `{"period_days":${days},"total_calls":${sum.total},` +
    `"answered_calls":${sum.answered},"answer_rate":${answerRate(sum)},` +
    `"total_minutes":${totalMinutes(sum)},"avg_duration":${averageDuration(sum)}}`
  );
}

function plus(a: Tally, b: Tally): Tally {
  return {
    total: a.total + b.total,
    answered: a.answered + b.answered,
    duration: a.duration + b.duration,
  };
}
