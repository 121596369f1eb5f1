import { Counter, Gauge, type Registry } from "prom-client";

import { EXPORTER_METRICS as M } from "../metrics/names.js";
import { FAILURE_REASONS, type FailureReason } from "../vobiz/errors.js";

/**
 * The health of number discovery, per account: when its list was last read in full,
 * and how often reading it failed, by reason. Lives in the exporter-wide registry
 * while some account discovers, so other setups' output does not change.
 */
export class DiscoveryMetrics {
  readonly #lastSuccess: Gauge;
  readonly #errors: Counter;
  readonly #accounts = new Set<string>();
  readonly #registry: Registry;

  constructor(registry: Registry) {
    this.#registry = registry;
    const options = (definition: (typeof M)["discoveryErrors"]) => ({
      name: definition.name,
      help: definition.help,
      labelNames: [...(definition.extraLabels ?? [])],
      registers: [],
    });
    this.#lastSuccess = new Gauge(options(M.discoveryLastSuccess));
    this.#errors = new Counter(options(M.discoveryErrors));
  }

  /**
   * Keeps the series of these accounts, starting every error reason at 0 so that
   * increase() sees the first failure, and drops those of accounts no longer discovering.
   */
  track(accounts: readonly string[]): void {
    const keep = new Set(accounts);
    for (const account of this.#accounts) {
      if (keep.has(account)) continue;
      this.#lastSuccess.remove({ account });
      for (const reason of FAILURE_REASONS) this.#errors.remove({ account, reason });
    }
    for (const account of keep) {
      for (const reason of FAILURE_REASONS) this.#errors.inc({ account, reason }, 0);
    }
    this.#accounts.clear();
    for (const account of keep) this.#accounts.add(account);
    this.#register(keep.size > 0);
  }

  #register(wanted: boolean): void {
    const registered =
      this.#registry.getSingleMetric(M.discoveryErrors.name) !== undefined;
    if (wanted === registered) return;
    if (wanted) {
      this.#registry.registerMetric(this.#lastSuccess);
      this.#registry.registerMetric(this.#errors);
    } else {
      this.#registry.removeSingleMetric(M.discoveryLastSuccess.name);
      this.#registry.removeSingleMetric(M.discoveryErrors.name);
    }
  }

  /** Records a complete read of an account's list. */
  succeeded(account: string, atMs: number): void {
    this.#lastSuccess.set({ account }, atMs / 1000);
  }

  /** Counts a failed read of an account's list. */
  failed(account: string, reason: FailureReason): void {
    this.#errors.inc({ account, reason });
  }
}
