import type { AccountConfig, ExporterConfig } from "../config/types.js";
import type { Logger } from "../log.js";
import { KNOWN_STATUSES } from "../metrics/names.js";
import type { VobizClient } from "../vobiz/client.js";
import { VobizError } from "../vobiz/errors.js";
import { listNumbers, type ListedNumber } from "./list-numbers.js";
import type { DiscoveryMetrics } from "./metrics.js";
import { retryDelayMs } from "./retry.js";
import { recordStatuses, unknownStatuses, type StatusHistory } from "./status-history.js";
import { isE164, type DiscoveredNumber } from "./targets.js";

export interface DiscovererOptions {
  readonly logger: Logger;
  readonly metrics: DiscoveryMetrics;
  /** Called after a refresh changed an account's list, to rebuild the targets. */
  readonly onChange: () => void;
  readonly now?: () => number;
}

interface AccountDiscovery {
  readonly account: AccountConfig;
  /** The last list read in full, unfiltered; undefined until the first success. */
  listed: readonly ListedNumber[] | undefined;
  history: StatusHistory;
  found: readonly DiscoveredNumber[];
  running: Promise<void> | undefined;
  /** Failed reads in a row since the last success: they set the retry delay. */
  failures: number;
  /** The next read; set when a read ends, so reads of one account never overlap. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * Keeps each discovering account's list of numbers up to date in the background: read
 * at once when a configuration is applied, then `refresh_interval` after each read ends,
 * never inside a scrape. A failed read keeps the last good list, is logged and counted,
 * and is retried sooner: 5 s doubling per failure with jitter, capped at the interval.
 */
export class Discoverer {
  readonly #options: DiscovererOptions;
  readonly #now: () => number;
  #accounts = new Map<string, AccountDiscovery>();
  #abort = new AbortController();
  #client: VobizClient | undefined;
  #timeoutMs = 10_000;

  constructor(options: DiscovererOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The numbers each account's list holds now, by account name, after the filter. */
  get lists(): ReadonlyMap<string, readonly DiscoveredNumber[]> {
    return new Map([...this.#accounts].map(([name, state]) => [name, state.found]));
  }

  /**
   * Follows a new configuration: stops the old timers and reads, keeps the last list of
   * every account still discovering with the same credentials, warns of statuses Vobiz
   * does not document (a typo there would silently keep nothing), and starts reading now.
   */
  update(config: ExporterConfig, client: VobizClient): void {
    this.#stop();
    this.#client = client;
    this.#timeoutMs = config.api.timeoutMs;

    const previous = this.#accounts;
    this.#accounts = new Map();
    for (const account of config.accounts) {
      if (!account.discover.enabled) continue;
      this.#warnUnknownStatuses(account);
      const before = previous.get(account.name);
      const same = before?.account.authId === account.authId;
      const listed = same ? before.listed : undefined;
      const history = same ? before.history : new Map<string, readonly string[]>();
      const found = listed === undefined ? [] : filterListed(account, listed, history);
      this.#accounts.set(account.name, {
        account,
        listed,
        history,
        found,
        running: undefined,
        failures: 0,
        timer: undefined,
      });
    }
    this.#options.metrics.track([...this.#accounts.keys()]);

    for (const state of this.#accounts.values()) void this.#refresh(state);
  }

  /** Reads every discovering account's list now (or joins a read in flight). */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.#accounts.values()].map((state) => this.#refresh(state)));
  }

  /** Stops the timers and abandons reads in flight. */
  close(): void {
    this.#stop();
    this.#accounts = new Map();
  }

  #stop(): void {
    for (const state of this.#accounts.values()) clearTimeout(state.timer);
    this.#abort.abort();
    this.#abort = new AbortController();
  }

  #warnUnknownStatuses(account: AccountConfig): void {
    for (const status of unknownStatuses(account.discover.statuses)) {
      this.#options.logger.warn(
        { account: account.name, status, known: KNOWN_STATUSES.join(",") },
        "discover.statuses holds a status vobiz does not document",
      );
    }
  }

  /** Reads the account's list again after `delayMs`, unless it is no longer followed. */
  #schedule(state: AccountDiscovery, delayMs: number): void {
    if (this.#accounts.get(state.account.name) !== state) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => void this.#refresh(state), delayMs);
    // A refresh timer alone must not keep the process alive.
    state.timer.unref();
  }

  #refresh(state: AccountDiscovery): Promise<void> {
    state.running ??= this.#read(state).finally(() => {
      state.running = undefined;
    });
    return state.running;
  }

  async #read(state: AccountDiscovery): Promise<void> {
    const { account } = state;
    const client = this.#client;
    const stopped = this.#abort.signal;
    if (client === undefined || stopped.aborted) return;

    let listed: ListedNumber[];
    try {
      const limits = { signal: stopped, pageTimeoutMs: this.#timeoutMs };
      listed = await listNumbers(client, account, limits);
    } catch (caught) {
      // A read abandoned by a reload or close is not a failure of the account.
      if (!stopped.aborted) this.#failed(state, caught);
      return;
    }
    if (stopped.aborted || this.#accounts.get(account.name) !== state) return;

    const history = recordStatuses(state.history, listed);
    const found = filterListed(account, listed, history);
    const changed = !sameNumbers(state.found, found);
    state.listed = listed;
    state.history = history;
    state.found = found;
    state.failures = 0;
    this.#schedule(state, account.discover.refreshIntervalMs);
    this.#options.metrics.succeeded(account.name, this.#now());
    // Info when the set of numbers changes, the first read among them: a start-up line
    // says how many numbers were configured, and only this one how many were found.
    this.#options.logger[changed ? "info" : "debug"](
      { account: account.name, listed: listed.length, numbers: found.length },
      "numbers discovered",
    );
    if (changed) this.#options.onChange();
  }

  #failed(state: AccountDiscovery, caught: unknown): void {
    const { account } = state;
    state.failures += 1;
    const delayMs = retryDelayMs(state.failures, account.discover.refreshIntervalMs);
    this.#schedule(state, delayMs);

    const error =
      caught instanceof VobizError
        ? caught
        : new VobizError("network", "unexpected failure listing numbers", {
            cause: caught,
          });
    this.#options.metrics.failed(account.name, error.reason);
    this.#options.logger.error(
      {
        account: account.name,
        reason: error.reason,
        status: error.status,
        api_id: error.apiId,
        url: error.url,
        upstream_message: error.upstreamMessage,
        failures: state.failures,
        retry_at: new Date(this.#now() + delayMs).toISOString(),
        err: error.message,
      },
      "number discovery failed",
    );
  }
}

/**
 * The listed numbers that have had a status of `discover.statuses` since they joined the
 * list (per `history`; without it, their status now), valid E.164 only, each with its
 * owner when another (sub-)account than the listing one owns it. So a monitored number
 * that turns `blocked` stays monitored, and its status alerts fire, until it leaves the
 * list; only numbers never seen in a kept status are left out.
 */
export function filterListed(
  account: AccountConfig,
  listed: readonly ListedNumber[],
  history: StatusHistory = recordStatuses(new Map(), listed),
): DiscoveredNumber[] {
  const statuses = new Set(account.discover.statuses);
  const seen = new Set<string>();
  const found: DiscoveredNumber[] = [];
  for (const item of listed) {
    const had = history.get(item.number) ?? [];
    if (!had.some((status) => statuses.has(status))) continue;
    if (!isE164(item.number) || seen.has(item.number)) continue;
    seen.add(item.number);
    const owner =
      item.ownerAuthId !== undefined && item.ownerAuthId !== account.authId
        ? item.ownerAuthId
        : undefined;
    found.push({ number: item.number, owner });
  }
  return found;
}

function sameNumbers(a: readonly DiscoveredNumber[], b: readonly DiscoveredNumber[]) {
  return (
    a.length === b.length &&
    a.every((x, i) => x.number === b[i]?.number && x.owner === b[i]?.owner)
  );
}
