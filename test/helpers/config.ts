import type { AccountConfig, ExporterConfig } from "../../src/config/types.js";
import { Secret } from "../../src/secret.js";
import { DEMO_AUTH_ID, DEMO_AUTH_TOKEN, demoAccount } from "../../src/simulator/index.js";

/** An account of the simulator's demo numbers, for tests. */
export function demoAccountConfig(overrides: Partial<AccountConfig> = {}): AccountConfig {
  return {
    name: "demo",
    authId: DEMO_AUTH_ID,
    authToken: new Secret(DEMO_AUTH_TOKEN),
    labels: {},
    discover: { enabled: false, refreshIntervalMs: 600_000, statuses: ["active"] },
    numbers: demoAccount().numbers.map((n) => ({ number: n.e164, labels: {} })),
    ...overrides,
  };
}

/** A complete configuration against `baseUrl`, with DESIGN.md's defaults. */
export function testConfig(
  baseUrl: string,
  overrides: Partial<ExporterConfig> = {},
): ExporterConfig {
  return {
    listenAddress: "127.0.0.1:0",
    api: {
      baseUrl,
      timeoutMs: 10_000,
      maxConcurrency: 16,
      retries: 2,
      maxResponseBytes: 8 * 1024 * 1024,
    },
    health: { granularity: "daily", days: 30, answerRateUnit: "auto" },
    cache: { ttlMs: 0 },
    accounts: [demoAccountConfig()],
    ...overrides,
  };
}
