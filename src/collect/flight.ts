import type { CancelSignal } from "../vobiz/cancel-signal.js";
import { VobizError } from "../vobiz/errors.js";
import type { Deadline } from "./deadline.js";
import { onAbort } from "./on-abort.js";

/**
 * One upstream read shared by every scrape that asks for it while it runs. Its own
 * deadline is the latest of theirs: each scrape stops waiting at its own deadline, and
 * the read is aborted once no scrape waits for it any more.
 */
export class Flight<T> implements Deadline {
  readonly #abandonment = new Abandonment();
  readonly #waiting = new Set<Deadline>();
  readonly #result: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #settled = false;

  constructor() {
    this.#result = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Every waiter may have left by the time a failure arrives; nobody has to see it.
    this.#result.catch(() => undefined);
  }

  /** The latest deadline of the scrapes waiting; minus infinity when none waits. */
  get atMs(): number {
    let latest = Number.NEGATIVE_INFINITY;
    for (const deadline of this.#waiting) latest = Math.max(latest, deadline.atMs);
    return latest;
  }

  /** Aborts when the last waiting scrape has given up. */
  get signal(): CancelSignal {
    return this.#abandonment;
  }

  /** True once the read has been given up because nobody waits for it. */
  get abandoned(): boolean {
    return this.#abandonment.aborted;
  }

  /** Runs the read, once, after the first {@link join}; settles every waiter. */
  start(run: (flight: Deadline) => Promise<T>): Promise<T> {
    run(this).then(
      (value) => {
        this.#settled = true;
        this.#resolve(value);
      },
      (error: unknown) => {
        this.#settled = true;
        this.#reject(error);
      },
    );
    return this.#result;
  }

  /**
   * The read's result for a scrape, or a `timeout` VobizError when the scrape's own
   * deadline passes first.
   */
  async join(deadline: Deadline): Promise<T> {
    this.#waiting.add(deadline);
    try {
      return await untilAborted(this.#result, deadline.signal);
    } finally {
      this.#waiting.delete(deadline);
      if (this.#waiting.size === 0 && !this.#settled) this.#abandonment.abort();
    }
  }
}

function untilAborted<T>(result: Promise<T>, signal: CancelSignal): Promise<T> {
  const timedOut = () =>
    new VobizError("timeout", "scrape deadline passed while waiting for Vobiz");
  if (signal.aborted) return Promise.reject(timedOut());

  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(timedOut()));
    void result.then(resolve, reject).finally(stop);
  });
}

/**
 * The signal of a read that every waiter has left: it aborts once, as an AbortSignal
 * would, without the EventTarget an AbortController makes for each of a scrape's
 * thousands of reads, which took CPU and left garbage for the collector to promote.
 */
class Abandonment implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException("This operation was aborted", "AbortError");
    for (const listener of this.#listeners.splice(0)) listener();
  }
}
