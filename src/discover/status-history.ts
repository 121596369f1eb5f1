import { KNOWN_STATUSES } from "../metrics/names.js";
import type { ListedNumber } from "./list-numbers.js";

/**
 * Every status each listed number has had in the reads since it joined the list, by
 * number. A number that leaves the list leaves the history, so it starts afresh if it
 * comes back.
 */
export type StatusHistory = ReadonlyMap<string, readonly string[]>;

/** The history after a read: `previous` for numbers still listed, plus each one now. */
export function recordStatuses(
  previous: StatusHistory,
  listed: readonly ListedNumber[],
): StatusHistory {
  const next = new Map<string, readonly string[]>();
  for (const { number, status } of listed) {
    const before = next.get(number) ?? previous.get(number) ?? [];
    const known = status === undefined || before.includes(status);
    next.set(number, known ? before : [...before, status]);
  }
  return next;
}

/** The values of a `discover.statuses` list that are not statuses Vobiz documents. */
export function unknownStatuses(statuses: readonly string[]): string[] {
  const known = new Set<string>(KNOWN_STATUSES);
  return statuses.filter((status) => !known.has(status));
}
