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

/**
 * Checks a decoded 200 body and turns it into {@link NumberHealth}.
 * @throws VobizError with reason `parse` when a field has the wrong type.
 */
export function parseHealth(body: unknown, url: string): NumberHealth {
  const parsed = healthSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw new VobizError("parse", `unexpected health body: ${where}: ${issue?.message}`, {
      url,
      status: 200,
    });
  }

  const { status, usage_status, is_spam, summary, snapshots } = parsed.data;
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
    snapshots: (snapshots ?? [])
      // A period without a start cannot be placed in time, so it is left out.
      .flatMap((s) => (s.ts ? [{ ...s, ts: s.ts }] : []))
      .map((s) => ({
        startMs: Date.parse(s.ts),
        totalCalls: s.total_calls ?? undefined,
        answeredCalls: s.answered_calls ?? undefined,
        failedCalls: s.failed_calls ?? undefined,
        answerRate: s.answer_rate ?? undefined,
        totalDuration: s.total_duration ?? undefined,
        avgDuration: s.avg_duration ?? undefined,
        totalMinutes: s.total_minutes ?? undefined,
      }))
      .sort((a, b) => a.startMs - b.startMs),
  };
}
