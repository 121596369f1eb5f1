import type { FailureReason, VobizError } from "../vobiz/errors.js";
import type { NumberHealth } from "../vobiz/health.js";
import type { Target } from "./target.js";

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
}
