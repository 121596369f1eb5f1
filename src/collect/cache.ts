import type { HealthQuery } from "../vobiz/client.js";
import type { NumberHealth } from "../vobiz/health.js";
import type { Deadline } from "./deadline.js";
import { Flight } from "./flight.js";
import { accountOf, targetKey, type Target } from "./target.js";

/** A valid health answer and when Vobiz gave it. */
export interface TimedHealth {
  readonly health: NumberHealth;
  /** When the upstream answer arrived, milliseconds since the epoch. */
  readonly atMs: number;
}

interface Keyed<T> {
  /** The number the value belongs to, whatever the query: see {@link targetKey}. */
  readonly owner: string;
  readonly value: T;
}

/**
 * Numbers' health answers, reused for the cache TTL, and the reads in flight, shared
 * by every concurrent scrape of the same number (even with the cache off). Keys are
 * account name, number, granularity and days. Failures are shared while in flight but
 * never kept.
 */
export class HealthCache {
  readonly #entries = new Map<string, Keyed<TimedHealth>>();
  readonly #flights = new Map<string, Keyed<Flight<TimedHealth>>>();

  /** The kept answer for a number when younger than `ttlMs`; never with a TTL of 0. */
  fresh(
    target: Target,
    query: HealthQuery,
    ttlMs: number,
    nowMs: number,
  ): TimedHealth | undefined {
    const entry = this.#entries.get(healthKey(target, query));
    if (entry === undefined || !isFresh(entry.value, ttlMs, nowMs)) return undefined;
    return entry.value;
  }

  /**
   * Joins the number's read in flight, or starts one with `run`. The caller stops
   * waiting at its own deadline; a success is kept when `ttlMs` is above 0.
   */
  read(
    target: Target,
    query: HealthQuery,
    deadline: Deadline,
    ttlMs: number,
    run: (flight: Deadline) => Promise<TimedHealth>,
  ): Promise<TimedHealth> {
    const key = healthKey(target, query);
    const running = this.#flights.get(key)?.value;
    if (running !== undefined && !running.abandoned) return running.join(deadline);

    const owner = targetKey(target.account.name, target.number);
    const flight = new Flight<TimedHealth>();
    const joined = flight.join(deadline);
    this.#flights.set(key, { owner, value: flight });
    flight
      .start(run)
      .then((value) => {
        if (ttlMs > 0) this.#entries.set(key, { owner, value });
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.#flights.get(key)?.value === flight) this.#flights.delete(key);
      });
    return joined;
  }

  /** Drops the answers older than `ttlMs`, so that memory does not grow with time. */
  prune(ttlMs: number, nowMs: number): void {
    for (const [key, entry] of this.#entries) {
      if (!isFresh(entry.value, ttlMs, nowMs)) this.#entries.delete(key);
    }
  }

  /** Drops the answers of every number not in `targets`. */
  retainOnly(targets: readonly Target[]): void {
    const keep = new Set(targets.map((t) => targetKey(t.account.name, t.number)));
    for (const [key, entry] of this.#entries) {
      if (!keep.has(entry.owner)) this.#entries.delete(key);
    }
  }

  /** Drops every answer of the named accounts, read with credentials no longer in force. */
  forgetAccounts(names: ReadonlySet<string>): void {
    if (names.size === 0) return;
    for (const [key, entry] of this.#entries) {
      if (names.has(accountOf(entry.owner))) this.#entries.delete(key);
    }
  }

  /** Answers kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Reads in flight. */
  get inFlight(): number {
    return this.#flights.size;
  }
}

function healthKey(target: Target, query: HealthQuery): string {
  const owner = targetKey(target.account.name, target.number);
  return `${owner}\u0000${query.granularity}\u0000${query.days}`;
}

function isFresh(value: TimedHealth, ttlMs: number, nowMs: number): boolean {
  return ttlMs > 0 && nowMs - value.atMs < ttlMs;
}
