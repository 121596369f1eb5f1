import {
  configuredTargets,
  targetKey,
  targetLabels,
  type Target,
} from "../collect/target.js";
import type { ExporterConfig } from "../config/types.js";

const E164 = /^\+[1-9]\d{1,14}$/;

/** True for a number in E.164 form: `+`, then 2 to 15 digits, the first not 0. */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/** A number an account's list holds, after the status filter. */
export interface DiscoveredNumber {
  readonly number: string;
  /** Set only when the number belongs to another (sub-)account than the one listing. */
  readonly owner: string | undefined;
}

/**
 * Every number to read: each account's configured numbers first, in configuration
 * order, then its discovered ones that are not configured. A configured number keeps
 * its configured labels, and no `owner`, so its series do not change with discovery.
 * Targets equal to one in `previous` are reused, so per-target memory keyed by object
 * (the landing page's last outcomes) survives a refresh.
 */
export function mergeTargets(
  config: ExporterConfig,
  discovered: ReadonlyMap<string, readonly DiscoveredNumber[]>,
  previous: readonly Target[] = [],
): Target[] {
  const configured = configuredTargets(config);
  const seen = new Set(configured.map((t) => targetKey(t.account.name, t.number)));
  const merged = [...configured];

  for (const account of config.accounts) {
    for (const found of discovered.get(account.name) ?? []) {
      const key = targetKey(account.name, found.number);
      if (seen.has(key)) continue;
      seen.add(key);
      merged.push({
        account,
        number: found.number,
        labels: targetLabels(account, found.number, {}, found.owner),
        source: "discovered",
      });
    }
  }
  return reuseEqual(merged, previous);
}

function reuseEqual(targets: Target[], previous: readonly Target[]): Target[] {
  const old = new Map(previous.map((t) => [targetKey(t.account.name, t.number), t]));
  return targets.map((target) => {
    const before = old.get(targetKey(target.account.name, target.number));
    const same =
      before !== undefined &&
      before.account === target.account &&
      before.source === target.source &&
      sameLabels(before.labels, target.labels);
    return same ? before : target;
  });
}

function sameLabels(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
