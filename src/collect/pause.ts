import { VobizError } from "../vobiz/errors.js";

/** Pause after a 429 without `Retry-After`; doubles with each such pause. */
export const FIRST_PAUSE_MS = 30_000;

/** Longest pause after a 429 without `Retry-After`. */
export const MAX_PAUSE_MS = 5 * 60_000;

/**
 * Longest pause a `Retry-After` may ask for. A header years ahead, from a skewed
 * clock or a broken proxy, would otherwise silence an account until the exporter
 * restarts; an hour shows on the dashboards and still spares a throttled account.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** A pause as {@link AccountPauses.pause} left it. */
export interface Pause {
  readonly untilMs: number;
  /** False when the 429 only extended a pause already running: log once per pause. */
  readonly started: boolean;
}

interface AccountPause {
  untilMs: number;
  nextMs: number;
}

/**
 * Accounts Vobiz asked to slow down with a 429. A paused account's numbers are not
 * read until the pause ends: until `Retry-After` has passed (an hour at most), or else
 * for a backoff of 30 s that doubles with each pause, up to 5 min, and starts over
 * after a success.
 */
export class AccountPauses {
  readonly #accounts = new Map<string, AccountPause>();

  /** When the account's pause ends, or undefined when it is not paused. */
  pausedUntil(account: string, nowMs: number): number | undefined {
    const pause = this.#accounts.get(account);
    return pause !== undefined && nowMs < pause.untilMs ? pause.untilMs : undefined;
  }

  /** Pauses the account after a 429 that asked for `retryAfterMs`, if it said. */
  pause(account: string, retryAfterMs: number | undefined, nowMs: number): Pause {
    const pause = this.#accounts.get(account) ?? { untilMs: 0, nextMs: FIRST_PAUSE_MS };
    this.#accounts.set(account, pause);
    const running = nowMs < pause.untilMs;

    if (retryAfterMs !== undefined) {
      const askedMs = Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
      pause.untilMs = Math.max(pause.untilMs, nowMs + askedMs);
    } else if (!running) {
      // Answers to requests sent before the pause began do not lengthen it again.
      pause.untilMs = nowMs + pause.nextMs;
      pause.nextMs = Math.min(pause.nextMs * 2, MAX_PAUSE_MS);
    }
    return { untilMs: pause.untilMs, started: !running && nowMs < pause.untilMs };
  }

  /** Forgets the backoff of an account whose read succeeded, unless it is paused. */
  succeeded(account: string, nowMs: number): void {
    if (this.pausedUntil(account, nowMs) === undefined) this.#accounts.delete(account);
  }

  /** Forgets every account not in `accounts`. */
  retainOnly(accounts: Iterable<string>): void {
    const keep = new Set(accounts);
    for (const account of this.#accounts.keys()) {
      if (!keep.has(account)) this.#accounts.delete(account);
    }
  }

  /** Forgets the pauses of the named accounts: new credentials may have a new quota. */
  forgetAccounts(names: ReadonlySet<string>): void {
    for (const name of names) this.#accounts.delete(name);
  }

  /** Accounts with a pause or a backoff remembered. */
  get size(): number {
    return this.#accounts.size;
  }
}

/** The failure of a number that was not read because its account is paused. */
export class AccountPausedError extends VobizError {
  constructor(account: string, untilMs: number) {
    super(
      "rate_limited",
      `account ${account} is paused after a rate limit until ` +
        new Date(untilMs).toISOString(),
    );
  }
}
