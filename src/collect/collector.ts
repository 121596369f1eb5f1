import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers/promises";

import pLimit, { type LimitFunction } from "p-limit";

import type { HealthConfig } from "../config/types.js";
import type { Logger } from "../log.js";
import type {
  HealthAnswer,
  HealthQuery,
  RawAnswer,
  VobizClient,
} from "../vobiz/client.js";
import { VobizError } from "../vobiz/errors.js";
import { KEPT_SNAPSHOTS } from "../vobiz/health.js";
import type { TimedHealth } from "./cache.js";
import type { Deadline } from "./deadline.js";
import { FailureLog } from "./failure-log.js";
import { NumberStates } from "./number-states.js";
import type { NumberOutcome } from "./outcome.js";
import { AccountPausedError } from "./pause.js";
import { withRetries, type BackoffPolicy } from "./retry.js";
import type { Target } from "./target.js";

export interface CollectorOptions {
  readonly client: VobizClient;
  readonly health: HealthConfig;
  /** Upstream requests in flight at once, across accounts and concurrent scrapes. */
  readonly maxConcurrency: number;
  readonly logger: Logger;
  /** Memory kept across scrapes (and across reloads, when passed on). */
  readonly states?: NumberStates;
  /** Retries of one number's read within a scrape (`api.retries`); default 0. */
  readonly retries?: number;
  /** How long a number's answer is reused, in milliseconds (`cache.ttl`); default 0, off. */
  readonly cacheTtlMs?: number;
  /** Waits between retries that Vobiz gave no `Retry-After` for; default 100 ms to 2 s. */
  readonly backoff?: BackoffPolicy;
  readonly now?: () => number;
}

/** A health request that Vobiz answered with 200, its body not yet decoded. */
interface Exchange {
  readonly text: RawAnswer;
  readonly seconds: number;
  readonly atMs: number;
}

/** Workers per upstream request slot in one scrape; see {@link Collector.collect}. */
const WORKERS_PER_SLOT = 2;

/** What one {@link Collector.collect} call is told of and tells as it goes. */
export interface CollectWatch {
  /** Told of each outcome as it is known, with the outcomes so far (missing undefined). */
  readonly onProgress?: (outcomes: readonly (NumberOutcome | undefined)[]) => void;
  /**
   * Aborts when nobody wants the result any more, its client gone: the failures that
   * follow are the scrape's own giving up, not the numbers', and are neither counted
   * nor logged. Abort the deadline's signal too, so that nothing more is read.
   */
  readonly abandoned?: AbortSignal;
}

/**
 * Reads the health of many numbers at once within a deadline. A number's failure is
 * recorded as its outcome; it never rejects the scrape or touches another number.
 * Answers come from the cache when fresh; concurrent scrapes share one read per
 * number; failed reads are retried within the deadline; a paused account is not called.
 */
export class Collector {
  readonly states: NumberStates;
  readonly #options: CollectorOptions;
  readonly #limit: LimitFunction;
  readonly #now: () => number;
  readonly #query: HealthQuery;
  readonly #ttlMs: number;
  readonly #maxConcurrency: number;

  constructor(options: CollectorOptions) {
    this.#options = options;
    this.#maxConcurrency = options.maxConcurrency;
    this.#limit = pLimit(options.maxConcurrency);
    this.states = options.states ?? new NumberStates();
    this.#now = options.now ?? Date.now;
    // Only what the metrics read is kept, in the cache and the last outcomes alike.
    this.#query = {
      granularity: options.health.granularity,
      days: options.health.days,
      keepSnapshots: KEPT_SNAPSHOTS,
    };
    this.#ttlMs = options.cacheTtlMs ?? 0;
  }

  /**
   * One outcome per target, in the order given. A few workers take the targets in turn
   * rather than every target waiting at once: 10,000 numbers queued together held
   * 10,000 reads' promises, flights and signals for the whole scrape, long enough for
   * the garbage collector to move them all to the old generation.
   */
  async collect(
    targets: readonly Target[],
    deadline: Deadline,
    { onProgress, abandoned }: CollectWatch = {},
  ): Promise<NumberOutcome[]> {
    this.states.cache.prune(this.#ttlMs, this.#now());
    const outcomes = new Array<NumberOutcome>(targets.length);
    const failures = new FailureLog(this.#options.logger);
    let next = 0;
    const work = async () => {
      while (next < targets.length) {
        const i = next++;
        outcomes[i] = await this.#collectOne(targets[i]!, deadline, failures, abandoned);
        onProgress?.(outcomes);
      }
    };
    // More workers than request slots, so that numbers waiting out a retry's backoff,
    // or another scrape's read of the same number, do not leave slots unused.
    const workers = Math.min(targets.length, WORKERS_PER_SLOT * this.#maxConcurrency);
    await Promise.all(Array.from({ length: workers }, work));
    failures.end();
    return outcomes;
  }

  async #collectOne(
    target: Target,
    deadline: Deadline,
    failures: FailureLog,
    abandoned: AbortSignal | undefined,
  ): Promise<NumberOutcome> {
    const started = performance.now();
    const state = this.states.get(target);
    let answer: TimedHealth | undefined;
    let error: VobizError | undefined;

    try {
      answer = await this.#read(target, deadline);
      state.lastSuccessMs = Math.max(state.lastSuccessMs ?? answer.atMs, answer.atMs);
      state.loggedReason = undefined;
    } catch (caught) {
      error = asVobizError(caught);
      if (abandoned?.aborted !== true) {
        state.errorCounts.set(
          error.reason,
          (state.errorCounts.get(error.reason) ?? 0) + 1,
        );
        failures.failed(target, error, state);
      }
    }

    return {
      target,
      health: answer?.health,
      error,
      seconds: (performance.now() - started) / 1000,
      lastSuccessMs: state.lastSuccessMs,
      errorCounts: state.errorCounts,
      lastRequest: state.lastRequest,
    };
  }

  /** The cached answer when fresh, else the number's shared read. */
  async #read(target: Target, deadline: Deadline): Promise<TimedHealth> {
    const { cache } = this.states;
    const cached = cache.fresh(target, this.#query, this.#ttlMs, this.#now());
    if (cached !== undefined) return cached;

    return cache.read(target, this.#query, deadline, this.#ttlMs, (flight) =>
      this.#readUpstream(target, flight),
    );
  }

  /** One number's read with its retries, each waiting for a concurrency slot. */
  async #readUpstream(target: Target, flight: Deadline): Promise<TimedHealth> {
    const answer = await withRetries(() => this.#attempt(target, flight), {
      retries: this.#options.retries ?? 0,
      deadline: flight,
      now: this.#now,
      backoff: this.#options.backoff,
      onFailure: (error) => this.#pauseOn429(target, error),
    });
    const atMs = this.#now();
    this.states.pauses.succeeded(target.account.name, atMs);
    return { health: answer.health, atMs };
  }

  /**
   * One try: the request holds a concurrency slot, its decoding does not. Decoding
   * also waits for the I/O already pending, so that when a burst of answers arrives
   * every freed slot sends its next request before any answer is decoded: slots turn
   * over at the pace of the network rather than of JSON.parse.
   */
  async #attempt(target: Target, deadline: Deadline): Promise<HealthAnswer> {
    const exchange = await this.#limit(() => this.#fetch(target, deadline));
    await setImmediate();

    let answer: HealthAnswer;
    try {
      answer = this.#options.client.decodeHealth(exchange.text, this.#query);
    } catch (caught) {
      throw this.#rememberFailure(target, exchange, asVobizError(caught));
    }
    this.#rememberAnswer(target, exchange);
    this.#options.logger.debug(
      { account: target.account.name, number: target.number, status: answer.status },
      "health read",
    );
    return answer;
  }

  async #fetch(target: Target, deadline: Deadline): Promise<Exchange> {
    // A number still queued when the deadline passes is not worth a request.
    if (deadline.signal.aborted || this.#now() >= deadline.atMs) {
      throw new VobizError(
        "timeout",
        "scrape deadline passed before the request was sent",
      );
    }
    // Checked once a slot is free: the account may have been paused while queued.
    const account = target.account.name;
    const pausedUntil = this.states.pauses.pausedUntil(account, this.#now());
    if (pausedUntil !== undefined) throw new AccountPausedError(account, pausedUntil);

    const started = performance.now();
    try {
      const text = await this.#options.client.fetchHealth(
        target.account,
        target.number,
        this.#query,
        deadline.signal,
      );
      return { text, seconds: (performance.now() - started) / 1000, atMs: this.#now() };
    } catch (caught) {
      const timing = { seconds: (performance.now() - started) / 1000, atMs: this.#now() };
      throw this.#rememberFailure(target, timing, asVobizError(caught));
    }
  }

  /** Keeps a number's last request for the details page. */
  #rememberAnswer(target: Target, exchange: Exchange): void {
    const { text, seconds, atMs } = exchange;
    this.states.get(target).lastRequest = {
      url: text.url,
      status: text.status,
      seconds,
      atMs,
    };
  }

  /** Keeps a number's last request, unanswered or undecodable; returns the error. */
  #rememberFailure(
    target: Target,
    timing: { readonly seconds: number; readonly atMs: number },
    error: VobizError,
  ): VobizError {
    this.states.get(target).lastRequest = {
      url: error.url ?? "",
      status: error.status,
      seconds: timing.seconds,
      apiId: error.apiId,
      reason: error.reason,
      error: error.message,
      upstreamMessage: error.upstreamMessage,
      atMs: timing.atMs,
    };
    return error;
  }

  #pauseOn429(target: Target, error: VobizError): void {
    if (error.status !== 429) return;
    const account = target.account.name;
    const pause = this.states.pauses.pause(account, error.retryAfterMs, this.#now());
    if (!pause.started) return;

    this.#options.logger.warn(
      {
        account,
        number: target.number,
        until: new Date(pause.untilMs).toISOString(),
        api_id: error.apiId,
      },
      "account paused after rate limit",
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
