import type { SimAccount } from "./types.js";

/** Auth ID of the demo account. */
export const DEMO_AUTH_ID = "MA_DEMO0000";

/** Auth token of the demo account; not a secret, it only opens the local simulator. */
export const DEMO_AUTH_TOKEN = "demo-token-0000000000000000";

/**
 * The demo account: six Indian numbers, two healthy, one with a low answer rate, one
 * flagged as spam, one blocked and one without calls.
 */
export function demoAccount(): SimAccount {
  return {
    authId: DEMO_AUTH_ID,
    authToken: DEMO_AUTH_TOKEN,
    numbers: [
      { e164: "+919876543210" },
      { e164: "+919812345678" },
      { e164: "+918041234567", traffic: "low_answer" },
      { e164: "+919900112233", isSpam: true },
      { e164: "+919988776655", status: "blocked" },
      { e164: "+911140001234", traffic: "none" },
    ],
  };
}

/**
 * An account with `count` active numbers of normal traffic, `+917000000000` upwards, for
 * benchmarks. Its token is `sim-token-` followed by the auth ID (default `MA_BENCH000`).
 */
export function generatedAccount(count: number, authId = "MA_BENCH000"): SimAccount {
  if (!Number.isInteger(count) || count < 0 || count > 2_999_999_999) {
    throw new RangeError(`count must be an integer from 0 to 2999999999 (got ${count})`);
  }
  return {
    authId,
    authToken: `sim-token-${authId}`,
    numbers: Array.from({ length: count }, (_, i) => ({
      e164: `+91${7_000_000_000 + i}`,
    })),
  };
}
