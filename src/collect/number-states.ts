import type { FailureReason } from "../vobiz/errors.js";
import { targetKey, type Target } from "./target.js";

/** What the exporter remembers about a number between scrapes. */
export interface NumberState {
  lastSuccessMs?: number;
  readonly errorCounts: Map<FailureReason, number>;
}

/**
 * Per-number memory that outlives one scrape: the last success and the error counts.
 * Numbers that are no longer monitored are forgotten, so memory follows the config.
 */
export class NumberStates {
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

  /** Forgets every number not in `targets`. */
  retainOnly(targets: readonly Target[]): void {
    const keep = new Set(targets.map((t) => targetKey(t.account.name, t.number)));
    for (const key of this.#states.keys()) {
      if (!keep.has(key)) this.#states.delete(key);
    }
  }

  get size(): number {
    return this.#states.size;
  }
}
