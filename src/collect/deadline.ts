import { setMaxListeners } from "node:events";

/** How much of Prometheus's scrape timeout is kept back for serialising the answer. */
export const SCRAPE_TIMEOUT_MARGIN_MS = 500;

/** The time by which every upstream call of one scrape must be done. */
export interface Deadline {
  readonly atMs: number;
  /** Aborts when the deadline passes; given to every request of the scrape. */
  readonly signal: AbortSignal;
}

/**
 * The scrape's time budget: Prometheus's `X-Prometheus-Scrape-Timeout-Seconds` less a
 * margin, capped by `api.timeout`. Without a usable header, `api.timeout` alone. The
 * margin never takes more than half the timeout, so a timeout of 1 s or less still
 * leaves time to read numbers instead of failing every one at once.
 */
export function scrapeBudgetMs(header: string | undefined, apiTimeoutMs: number): number {
  const seconds = header === undefined ? Number.NaN : Number.parseFloat(header);
  if (!Number.isFinite(seconds) || seconds <= 0) return apiTimeoutMs;

  const timeoutMs = seconds * 1000;
  const margin = Math.min(SCRAPE_TIMEOUT_MARGIN_MS, timeoutMs / 2);
  return Math.min(timeoutMs - margin, apiTimeoutMs);
}

/** A deadline `budgetMs` from `nowMs`. */
export function deadlineIn(budgetMs: number, nowMs: number = Date.now()): Deadline {
  const signal = AbortSignal.timeout(Math.max(1, budgetMs));
  // Every number of the scrape listens to this one signal; thousands are expected.
  setMaxListeners(0, signal);
  return { atMs: nowMs + budgetMs, signal };
}
