import type { FailureReason, VobizError } from "../vobiz/errors.js";
import type { NumberHealth } from "../vobiz/health.js";
import type { Target } from "./target.js";

/** The newest request sent to Vobiz for a number, for the landing page's details. */
export interface RequestRecord {
  /** The URL without credentials, which travel in headers only. */
  readonly url: string;
  /** HTTP status, absent when no response arrived. */
  readonly status?: number;
  readonly seconds: number;
  readonly apiId?: string;
  readonly reason?: FailureReason;
  /** What went wrong, as logged: for failures without a Vobiz answer, the cause. */
  readonly error?: string;
  readonly upstreamMessage?: string;
  /** When the request ended, milliseconds since the epoch. */
  readonly atMs: number;
}

/** What one scrape learned about one number. */
export interface NumberOutcome {
  readonly target: Target;
  /** Present when the number is up: a valid answer from this scrape or the cache. */
  readonly health?: NumberHealth;
  /** Present when the number is down. */
  readonly error?: VobizError;
  /** Time spent on this number in this scrape. */
  readonly seconds: number;
  /** When the number last had a valid answer, milliseconds since the epoch. */
  readonly lastSuccessMs?: number;
  /** Failed reads so far, by reason, since the number was first monitored. */
  readonly errorCounts: ReadonlyMap<FailureReason, number>;
  /** The newest upstream request for the number, which may predate a cached answer. */
  readonly lastRequest?: RequestRecord;
}
