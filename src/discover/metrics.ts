import { Counter, Gauge, type Registry } from "prom-client";

import { EXPORTER_METRICS as M } from "../metrics/names.js";
import { FAILURE_REASONS, type FailureReason } from "../vobiz/errors.js";

/**
 * The health of number discovery, per account: when its list was last read in full,
 * and how often reading it failed, by reason. Lives in the exporter-wide registry.
 */
export class DiscoveryMetrics {
  readonly #lastSuccess: Gauge;
  readonly #errors: Counter;
  readonly #accounts = new Set<string>();

  constructor(registry: Registry) {
    const options = (definition: (typeof M)["discoveryErrors"]) => ({
      name: definition.name,
      help: definition.help,
      labelNames: [...(definition.extraLabels ?? [])],
      registers: [registry],
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
