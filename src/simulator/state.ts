import { demoAccount } from "./accounts.js";
import { Directory } from "./directory.js";
import { FAULT_NAMES } from "./faults.js";
import type { FaultEnv } from "./faults.js";
import { Timers } from "./timers.js";
import type { Fault, SimulatorOptions } from "./types.js";

/** Everything a request handler reads or changes, for one running simulator. */
export class SimState {
  readonly directory: Directory;
  readonly timers = new Timers();
  readonly now: () => Date;
  readonly latencyMs: number;
  /** The clock and delays faults use; one object for every request. */
  readonly faultEnv: FaultEnv;
  readonly #faults = new Map<string, Fault>();
  readonly #limitedOnce = new Set<string>();

  constructor(options: SimulatorOptions) {
    this.directory = new Directory(options.accounts ?? [demoAccount()]);
    this.now = options.now ?? (() => new Date());
    this.latencyMs = options.latencyMs ?? 0;
    this.faultEnv = { now: this.now, sleep: (ms) => this.timers.sleep(ms) };
    for (const [key, fault] of Object.entries(options.faults ?? {})) {
      this.setFault(key, fault);
    }
  }

  /** Sets or clears the fault of a number (or `*`), re-arming `rate_limited_once`. */
  setFault(key: string, fault: Fault | undefined): void {
    if (fault && !FAULT_NAMES.includes(fault.name)) {
      throw new TypeError(`unknown simulator fault (got ${String(fault.name)})`);
    }
    if (fault) this.#faults.set(key, fault);
    else this.#faults.delete(key);

    if (key === "*") this.#limitedOnce.clear();
    else this.#limitedOnce.delete(key);
  }

  /** The fault of an account's number list: set under its auth ID; `*` does not apply. */
  listFaultFor(authId: string): Fault | undefined {
    return this.#faults.get(authId);
  }

  /**
   * The fault to apply to this request for a number: its own, else the `*` one.
   * `rate_limited_once` becomes a 429 with `Retry-After: 1` the first time, then nothing.
   */
  faultFor(e164: string): Fault | undefined {
    const fault = this.#faults.get(e164) ?? this.#faults.get("*");
    if (fault?.name !== "rate_limited_once") return fault;
    if (this.#limitedOnce.has(e164)) return undefined;

    this.#limitedOnce.add(e164);
    return { name: "rate_limited", retryAfterSeconds: 1 };
  }
}
