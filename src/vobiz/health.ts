import { z } from "zod";

import { VobizError } from "./errors.js";

// Every field is optional in Vobiz's spec, and null is treated as absent. Unknown
// fields are ignored (Vobiz adds fields without notice); a present field of the wrong
// type makes the whole answer untrustworthy and is a parse error.
const count = z.number().int().nonnegative().nullish();
const amount = z.number().nonnegative().nullish();
const text = z.string().nullish();

const snapshotSchema = z.object({
  ts: z.iso.datetime({ offset: true }).nullish(),
  total_calls: count,
  answered_calls: count,
  failed_calls: count,
  answer_rate: amount,
  total_duration: amount,
  avg_duration: amount,
  total_minutes: amount,
});

const healthSchema = z.object({
  e164: text,
  status: text,
  usage_status: text,
  is_spam: z.boolean().nullish(),
  granularity: text,
  summary: z
    .object({
      period_days: amount,
      total_calls: count,
      answered_calls: count,
      answer_rate: amount,
      total_minutes: amount,
      avg_duration: amount,
    })
    .nullish(),
  snapshots: z.array(snapshotSchema).nullish(),
});

/** Call figures as Vobiz reports them, for the whole window or for one period. */
export interface CallFigures {
  readonly totalCalls?: number;
  readonly answeredCalls?: number;
  /** Percent or ratio: Vobiz does not say which; see `answerRatio`. */
  readonly answerRate?: number;
  /** Talk time in minutes. */
  readonly totalMinutes?: number;
  /** Mean call duration in seconds. */
  readonly avgDuration?: number;
}

/** One period of a number's history (a day or an hour). */
export interface Snapshot extends CallFigures {
  /** Start of the period, milliseconds since the epoch. */
  readonly startMs: number;
  readonly failedCalls?: number;
  /** Talk time in seconds. */
  readonly totalDuration?: number;
}

/** A number's health as read from one valid 200 answer. */
export interface NumberHealth {
  readonly status?: string;
  readonly usageStatus?: string;
  readonly isSpam?: boolean;
  readonly summary: CallFigures & { readonly periodDays?: number };
  /** Oldest first. */
  readonly snapshots: readonly Snapshot[];
}

type HealthData = z.output<typeof healthSchema>;

/**
 * How many of the newest snapshots the exporter keeps of an answer between scrapes:
 * `newestCompletePeriod` reads one of the last two (the newest may cover a period still
 * running). About 30 a number would otherwise be held for the cache TTL; backfill asks
 * for them all.
 */
export const KEPT_SNAPSHOTS = 2;

/**
 * Checks a decoded 200 body and turns it into {@link NumberHealth}. Every snapshot is
 * checked; only the newest `keepSnapshots` (all by default) are kept.
 * @throws VobizError with reason `parse` when a field has the wrong type.
 */
export function parseHealth(
  body: unknown,
  url: string,
  keepSnapshots: number = Number.POSITIVE_INFINITY,
): NumberHealth {
  // The schema only runs, to name the problem, on a body the quick check doubts.
  const data = isSurelyValid(body) ? body : checkedBySchema(body, url);
  const { status, usage_status, is_spam, summary } = data;
  return {
    status: status ?? undefined,
    usageStatus: usage_status ?? undefined,
    isSpam: is_spam ?? undefined,
    summary: {
      periodDays: summary?.period_days ?? undefined,
      totalCalls: summary?.total_calls ?? undefined,
      answeredCalls: summary?.answered_calls ?? undefined,
      answerRate: summary?.answer_rate ?? undefined,
      totalMinutes: summary?.total_minutes ?? undefined,
      avgDuration: summary?.avg_duration ?? undefined,
    },
    snapshots: newestSnapshots(data.snapshots ?? [], keepSnapshots),
  };
}

function checkedBySchema(body: unknown, url: string): HealthData {
  const parsed = healthSchema.safeParse(body);
  if (parsed.success) return parsed.data;

  const issue = parsed.error.issues[0];
  const where = issue?.path.join(".") || "body";
  throw new VobizError("parse", `unexpected health body: ${where}: ${issue?.message}`, {
    url,
    status: 200,
  });
}

type RawSnapshot = (HealthData["snapshots"] & object)[number];

/**
 * The newest `keep` snapshots that have a start, oldest first, as {@link Snapshot}s. A
 * period without a start cannot be placed in time, so it is left out. Vobiz sends them
 * oldest first; only an answer out of order costs a sort of them all.
 */
function newestSnapshots(raw: readonly RawSnapshot[], keep: number): Snapshot[] {
  const placed: RawSnapshot[] = [];
  let sorted = true;
  let previousMs = Number.NEGATIVE_INFINITY;
  for (const s of raw) {
    if (!s.ts) continue;
    const startMs = startOf(s.ts);
    if (startMs < previousMs) sorted = false;
    previousMs = startMs;
    placed.push(s);
  }
  if (!sorted) placed.sort((a, b) => startOf(a.ts!) - startOf(b.ts!));

  const newest = placed.length > keep ? placed.slice(placed.length - keep) : placed;
  return newest.map((s) => ({
    startMs: startOf(s.ts!),
    totalCalls: s.total_calls ?? undefined,
    answeredCalls: s.answered_calls ?? undefined,
    failedCalls: s.failed_calls ?? undefined,
    answerRate: s.answer_rate ?? undefined,
    totalDuration: s.total_duration ?? undefined,
    avgDuration: s.avg_duration ?? undefined,
    totalMinutes: s.total_minutes ?? undefined,
  }));
}

// Every number of a scrape shares the same period starts: each distinct `ts` is checked
// by the schema and parsed once, not once per number. Bounded, like any memo here.
const tsSchema = snapshotSchema.shape.ts;
const tsStarts = new Map<string, number | undefined>();

/** The epoch milliseconds of a `ts` the schema accepts; undefined for one it rejects. */
function checkedStart(ts: string): number | undefined {
  if (tsStarts.has(ts)) return tsStarts.get(ts);
  if (tsStarts.size >= 10_000) tsStarts.clear();
  const startMs = tsSchema.safeParse(ts).success ? Date.parse(ts) : undefined;
  tsStarts.set(ts, startMs);
  return startMs;
}

function startOf(ts: string): number {
  return checkedStart(ts) ?? Date.parse(ts);
}

/**
 * A quick check that accepts only bodies the schema surely accepts, with the same
 * result; anything it doubts goes to the schema, which names the problem. Zod walks
 * about 300 fields a number with allocations at each; this walks them bare.
 */
function isSurelyValid(body: unknown): body is HealthData {
  if (!isObject(body)) return false;
  const { summary, snapshots } = body;
  if (
    !isText(body.e164) ||
    !isText(body.status) ||
    !isText(body.usage_status) ||
    !isText(body.granularity) ||
    !(body.is_spam == null || typeof body.is_spam === "boolean")
  ) {
    return false;
  }
  if (summary != null) {
    if (!isObject(summary) || !isCount(summary.total_calls)) return false;
    if (!isCount(summary.answered_calls)) return false;
    if (!isAmount(summary.period_days) || !isAmount(summary.answer_rate)) return false;
    if (!isAmount(summary.total_minutes) || !isAmount(summary.avg_duration)) return false;
  }
  if (snapshots == null) return true;
  if (!Array.isArray(snapshots)) return false;
  return snapshots.every(isSurelyValidSnapshot);
}

function isSurelyValidSnapshot(s: unknown): boolean {
  if (!isObject(s)) return false;
  if (s.ts != null && (typeof s.ts !== "string" || checkedStart(s.ts) === undefined)) {
    return false;
  }
  return (
    isCount(s.total_calls) &&
    isCount(s.answered_calls) &&
    isCount(s.failed_calls) &&
    isAmount(s.answer_rate) &&
    isAmount(s.total_duration) &&
    isAmount(s.avg_duration) &&
    isAmount(s.total_minutes)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isText(value: unknown): boolean {
  return value == null || typeof value === "string";
}

function isCount(value: unknown): boolean {
  return value == null || (Number.isSafeInteger(value) && (value as number) >= 0);
}

function isAmount(value: unknown): boolean {
  return value == null || (Number.isFinite(value) && (value as number) >= 0);
}
