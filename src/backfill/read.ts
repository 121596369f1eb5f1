import pLimit from "p-limit";

import type { Target } from "../collect/target.js";
import type { ExporterConfig } from "../config/types.js";
import { filterListed } from "../discover/discoverer.js";
import { listNumbers } from "../discover/list-numbers.js";
import { mergeTargets, type DiscoveredNumber } from "../discover/targets.js";
import type { HealthQuery, VobizClient } from "../vobiz/client.js";
import { VobizError } from "../vobiz/errors.js";
import type { NumberHistory } from "./openmetrics.js";

/** What went wrong for one account's list or one number's history. */
export interface BackfillFailure {
  readonly account: string;
  readonly number?: string;
  readonly error: VobizError;
}

/** Where a long read reports. */
export interface ReadHooks {
  readonly onFailure: (failure: BackfillFailure) => void;
  /** Called after each number, with how many are done of how many. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Every number the exporter would monitor: configured ones and, for accounts that
 * discover, their list read once now. An account whose list fails keeps only its
 * configured numbers, and the failure is reported.
 */
export async function backfillTargets(
  config: ExporterConfig,
  client: VobizClient,
  hooks: ReadHooks,
): Promise<Target[]> {
  const discovered = new Map<string, readonly DiscoveredNumber[]>();
  for (const account of config.accounts) {
    if (!account.discover.enabled) continue;
    try {
      const limits = {
        signal: new AbortController().signal,
        pageTimeoutMs: config.api.timeoutMs,
      };
      const listed = await listNumbers(client, account, limits);
      discovered.set(account.name, filterListed(account, listed));
    } catch (caught) {
      hooks.onFailure({ account: account.name, error: asVobizError(caught) });
    }
  }
  return mergeTargets(config, discovered);
}

/**
 * Reads each target's health over `query`, at most `config.api.maxConcurrency` at once,
 * each request within `config.api.timeout`. Numbers that fail are reported and left out.
 */
export async function readHistories(
  config: ExporterConfig,
  client: VobizClient,
  targets: readonly Target[],
  query: HealthQuery,
  hooks: ReadHooks,
): Promise<NumberHistory[]> {
  const limit = pLimit(config.api.maxConcurrency);
  let done = 0;

  const histories = await Promise.all(
    targets.map((target) =>
      limit(async (): Promise<NumberHistory | undefined> => {
        try {
          const signal = AbortSignal.timeout(config.api.timeoutMs);
          const answer = await client.getHealth(
            target.account,
            target.number,
            query,
            signal,
          );
          return { labels: target.labels, snapshots: answer.health.snapshots };
        } catch (caught) {
          const error = asVobizError(caught);
          hooks.onFailure({ account: target.account.name, number: target.number, error });
          return undefined;
        } finally {
          done += 1;
          hooks.onProgress?.(done, targets.length);
        }
      }),
    ),
  );
  return histories.filter((h) => h !== undefined);
}

/**
 * One line on a failure: account, number (or the number list), reason and message, then
 * Vobiz's own message and its `api_id` when it sent them, e.g.
 * `demo +911: http_4xx: Vobiz answered HTTP 400: days must be … (api_id 5f2…)`.
 */
export function describeFailure(failure: BackfillFailure): string {
  const { reason, message, upstreamMessage, apiId } = failure.error;
  const what = `${failure.account} ${failure.number ?? "number list"}`;
  const upstream = upstreamMessage === undefined ? "" : `: ${upstreamMessage}`;
  const id = apiId === undefined ? "" : ` (api_id ${apiId})`;
  return `${what}: ${reason}: ${message}${upstream}${id}`;
}

function asVobizError(caught: unknown): VobizError {
  if (caught instanceof VobizError) return caught;
  return new VobizError("network", "unexpected failure", { cause: caught });
}
