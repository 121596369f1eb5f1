import { clearTimeout, setTimeout } from "node:timers";

import type { CancelSignal } from "../vobiz/cancel-signal.js";
import { VobizError } from "../vobiz/errors.js";
import type { Deadline } from "./deadline.js";

/** Exponential backoff with full jitter, for failures that come without `Retry-After`. */
export interface BackoffPolicy {
  /** Bound of the first wait, in milliseconds; default 100. */
  readonly baseMs: number;
  /** Growth of the bound with each retry; default 2. */
  readonly factor: number;
  /** Largest bound, in milliseconds; default 2000. */
  readonly capMs: number;
}

/** DESIGN.md's backoff: 100 ms, doubling, never above 2 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, factor: 2, capMs: 2_000 };

// Timers may fire a millisecond early, and a retry sent before Retry-After has passed
// would find the account still paused.
const RETRY_AFTER_MARGIN_MS = 10;

/**
 * How long to wait before retry `retry` (0 for the first) after `error`, or undefined
 * when the error is not worth retrying: 4xx other than 429, `parse`, `too_large` and
 * `auth` would fail the same way again. 429 and 503 wait for `Retry-After`; other 5xx,
 * `network` and `timeout` back off exponentially with full jitter.
 */
export function retryDelayMs(
  error: VobizError,
  retry: number,
  backoff: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number | undefined {
  const jittered = () =>
    random() * Math.min(backoff.capMs, backoff.baseMs * backoff.factor ** retry);

  switch (error.reason) {
    case "rate_limited":
      // Without Retry-After the account is paused for 30 s or more: no scrape outlasts it.
      return error.retryAfterMs === undefined
        ? undefined
        : error.retryAfterMs + RETRY_AFTER_MARGIN_MS;
    case "http_5xx":
      return error.status === 503 && error.retryAfterMs !== undefined
        ? error.retryAfterMs + RETRY_AFTER_MARGIN_MS
        : jittered();
    case "network":
    case "timeout":
      return jittered();
    default:
      return undefined;
  }
}

/** How {@link withRetries} retries. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 tries once. */
  readonly retries: number;
  /** Every wait must end before `atMs`; `signal` cuts a wait short. */
  readonly deadline: Deadline;
  readonly now: () => number;
  /** Default {@link DEFAULT_BACKOFF}. */
  readonly backoff?: BackoffPolicy;
  /** Told of every failed attempt, before the decision to retry. */
  readonly onFailure?: (error: VobizError) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying as {@link retryDelayMs} says while retries
 * are left and the wait ends before the deadline. Throws the last attempt's error.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { deadline } = options;

  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt();
    } catch (caught) {
      if (!(caught instanceof VobizError)) throw caught;
      options.onFailure?.(caught);

      // A timeout caused by the deadline itself leaves nothing to retry in.
      const waitMs =
        retry < options.retries && !deadline.signal.aborted
          ? retryDelayMs(caught, retry, options.backoff)
          : undefined;
      if (waitMs === undefined || options.now() + waitMs >= deadline.atMs) throw caught;

      if (!(await pause(waitMs, deadline.signal))) throw caught;
    }
  }
}

/** Waits `ms`: true once they have passed, false as soon as `signal` aborts. */
function pause(ms: number, signal: CancelSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      resolve(waited);
    };
    const abort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", abort, { once: true });
  });
}
