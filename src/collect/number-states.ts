import type { FailureReason } from "../vobiz/errors.js";
import type { RequestRecord } from "./outcome.js";
import { HealthCache } from "./cache.js";
import { AccountPauses } from "./pause.js";
import { targetKey, type Target } from "./target.js";

/** What the exporter remembers about a number between scrapes. */
export interface NumberState {
  lastSuccessMs?: number;
  readonly errorCounts: Map<FailureReason, number>;
  lastRequest?: RequestRecord;
  /**
   * The reason of the number's failure last logged at error level, while it keeps
   * failing; cleared by a success. The same failure again is logged at debug level.
   */
  loggedReason?: FailureReason;
}

/**
 * Memory that outlives one scrape: each number's last success and error counts, the
 * health cache with its reads in flight, and the accounts paused after a 429. Numbers
 * and accounts that are no longer monitored are forgotten, so memory follows the config.
 */
export class NumberStates {
  /** Answers reused for the cache TTL, and reads shared by concurrent scrapes. */
  readonly cache = new HealthCache();
  /** Accounts told to slow down. */
  readonly pauses = new AccountPauses();
  readonly #states = new Map<string, NumberState>();

  /** The state of a number, created empty on first use. */
  get(target: Target): NumberState {
    const key = targetKey(target.account.name, target.number);
    let state = this.#states.get(key);
    if (state === undefined) {
      state = { errorCounts: new Map() };
      this.#states.set(key, state);
    }
    return state;
  }

  /** Forgets every number not in `targets`, its cached answers, and other accounts. */
  retainOnly(targets: readonly Target[]): void {
    const keep = new Set(targets.map((t) => targetKey(t.account.name, t.number)));
    for (const key of this.#states.keys()) {
      if (!keep.has(key)) this.#states.delete(key);
    }
    this.cache.retainOnly(targets);
    this.pauses.retainOnly(targets.map((t) => t.account.name));
  }

  get size(): number {
    return this.#states.size;
  }
}
