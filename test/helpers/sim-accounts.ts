import type { AccountConfig } from "../../src/config/types.js";
import { Secret } from "../../src/secret.js";
import type { RunningSimulator, SimAccount } from "../../src/simulator/index.js";

/** The configuration of a simulated account, every number of it monitored. */
export function accountConfigOf(account: SimAccount, name: string): AccountConfig {
  return {
    name,
    authId: account.authId,
    authToken: new Secret(account.authToken),
    labels: {},
    discover: { enabled: false, refreshIntervalMs: 600_000, statuses: ["active"] },
    numbers: account.numbers.map((n) => ({ number: n.e164, labels: {} })),
  };
}

/** Health requests the simulator has received for `number`. */
export function healthRequestsFor(simulator: RunningSimulator, number: string): number {
  const segment = `/numbers/${encodeURIComponent(number)}/health`;
  return simulator.requests.filter((r) => r.rawPath.includes(segment)).length;
}

/** Health requests the simulator has received with the credentials of `authId`. */
export function healthRequestsOf(simulator: RunningSimulator, authId: string): number {
  return simulator.requests.filter(
    (r) => r.authId === authId && r.rawPath.includes("/health"),
  ).length;
}
