/** The first retry after a failed list read waits up to this long; each next, twice. */
export const RETRY_BASE_MS = 5_000;

/**
 * How long to wait before reading an account's list again after `failures` failed reads
 * in a row (1 or more): 5 s doubling per failure, capped at `intervalMs`, less up to half
 * at random. The jitter spreads the retries of accounts that failed together, so a
 * Vobiz outage does not end in every account's list being read at the same moment.
 */
export function retryDelayMs(
  failures: number,
  intervalMs: number,
  random: () => number = Math.random,
): number {
  const exponential = RETRY_BASE_MS * 2 ** Math.max(failures - 1, 0);
  const capped = Math.min(exponential, intervalMs);
  return Math.round(capped * (1 - random() / 2));
}
