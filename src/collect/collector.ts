import { performance } from "node:perf_hooks";

import pLimit, { type LimitFunction } from "p-limit";

import type { HealthConfig } from "../config/types.js";
import type { Logger } from "../log.js";
import type { HealthAnswer, VobizClient } from "../vobiz/client.js";
import { VobizError } from "../vobiz/errors.js";
import type { Deadline } from "./deadline.js";
import { NumberStates } from "./number-states.js";
import type { NumberOutcome } from "./outcome.js";
import type { Target } from "./target.js";

export interface CollectorOptions {
  readonly client: VobizClient;
  readonly health: HealthConfig;
  /** Upstream requests in flight at once, across accounts and concurrent scrapes. */
  readonly maxConcurrency: number;
  readonly logger: Logger;
  /** Memory kept across scrapes (and across reloads, when passed on). */
  readonly states?: NumberStates;
  readonly now?: () => number;
}

/**
 * Reads the health of many numbers at once within a deadline. A number's failure is
 * recorded as its outcome; it never rejects the scrape or touches another number.
 */
export class Collector {
  readonly states: NumberStates;
  readonly #options: CollectorOptions;
  readonly #limit: LimitFunction;
  readonly #now: () => number;

  constructor(options: CollectorOptions) {
    this.#options = options;
    this.#limit = pLimit(options.maxConcurrency);
    this.states = options.states ?? new NumberStates();
    this.#now = options.now ?? Date.now;
  }

  /** One outcome per target, in the order given. */
  async collect(
    targets: readonly Target[],
    deadline: Deadline,
  ): Promise<NumberOutcome[]> {
    return Promise.all(targets.map((target) => this.#collectOne(target, deadline)));
  }

  async #collectOne(target: Target, deadline: Deadline): Promise<NumberOutcome> {
    const started = performance.now();
    const state = this.states.get(target);
    let health;
    let error: VobizError | undefined;

    try {
      const answer = await this.#limit(() => this.#fetch(target, deadline));
      health = answer.health;
      state.lastSuccessMs = this.#now();
    } catch (caught) {
      error = asVobizError(caught);
      state.errorCounts.set(error.reason, (state.errorCounts.get(error.reason) ?? 0) + 1);
      this.#logFailure(target, error);
    }

    return {
      target,
      health,
      error,
      seconds: (performance.now() - started) / 1000,
      lastSuccessMs: state.lastSuccessMs,
      errorCounts: state.errorCounts,
    };
  }

  async #fetch(target: Target, deadline: Deadline): Promise<HealthAnswer> {
    // A number still queued when the deadline passes is not worth a request.
    if (deadline.signal.aborted || this.#now() >= deadline.atMs) {
      throw new VobizError(
        "timeout",
        "scrape deadline passed before the request was sent",
      );
    }
    const { granularity, days } = this.#options.health;
    const answer = await this.#options.client.getHealth(
      target.account,
      target.number,
      { granularity, days },
      deadline.signal,
    );
    this.#options.logger.debug(
      { account: target.account.name, number: target.number, status: answer.status },
      "health read",
    );
    return answer;
  }

  #logFailure(target: Target, error: VobizError): void {
    this.#options.logger.error(
      {
        account: target.account.name,
        number: target.number,
        reason: error.reason,
        status: error.status,
        api_id: error.apiId,
        url: error.url,
        upstream_message: error.upstreamMessage,
        err: error.message,
      },
      "number health read failed",
    );
  }
}

// The client only throws VobizError; anything else is a bug surfacing here, and it
// still must not take the scrape down.
function asVobizError(caught: unknown): VobizError {
  if (caught instanceof VobizError) return caught;
  return new VobizError("network", "unexpected failure reading health", {
    cause: caught,
  });
}
