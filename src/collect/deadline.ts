import { setMaxListeners } from "node:events";
import { clearTimeout, setTimeout } from "node:timers";

import type { CancelSignal } from "../vobiz/cancel-signal.js";

/** How much of Prometheus's scrape timeout is kept back for serialising the answer. */
export const SCRAPE_TIMEOUT_MARGIN_MS = 500;

/** The time by which every upstream call of one scrape must be done. */
export interface Deadline {
  readonly atMs: number;
  /** Aborts when the deadline passes; given to every request of the scrape. */
  readonly signal: CancelSignal;
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

/** A scrape's deadline, which its scrape ends once it no longer waits on it. */
export interface ScrapeDeadline extends Deadline {
  /** Lets go of its timer, so that a finished scrape holds nothing until it passes. */
  readonly end: () => void;
}

/**
 * A deadline `budgetMs` from `nowMs`, or sooner when `abandoned` aborts: a scrape
 * whose client has gone need not wait for anything. Made by hand rather than from
 * AbortSignal.timeout() and AbortSignal.any(): in Node.js 20 a signal from any() over
 * a timeout signal is kept alive by a global set (nodejs/node#54614).
 */
export function deadlineIn(
  budgetMs: number,
  nowMs: number = Date.now(),
  abandoned?: AbortSignal,
): ScrapeDeadline {
  const controller = new AbortController();
  // Every number of the scrape listens to this one signal; thousands are expected.
  setMaxListeners(0, controller.signal);
  const end = () => {
    clearTimeout(timer);
    abandoned?.removeEventListener("abort", abandon);
  };
  const abandon = () => {
    end();
    controller.abort(abandoned?.reason);
  };
  const timer = setTimeout(
    () => {
      end();
      controller.abort(new DOMException("The scrape deadline passed", "TimeoutError"));
    },
    Math.max(1, budgetMs),
  );
  // Like AbortSignal.timeout(), the deadline alone keeps no process alive.
  timer.unref();
  if (abandoned?.aborted === true) abandon();
  else abandoned?.addEventListener("abort", abandon, { once: true });
  return { atMs: nowMs + budgetMs, signal: controller.signal, end };
}
