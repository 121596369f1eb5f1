import { z } from "zod";

import { DEFAULTS } from "./defaults.js";
import {
  authId,
  authToken,
  e164,
  httpUrl,
  labels,
  listenAddress,
  unquotedNumber,
} from "./formats.js";
import {
  byteSize,
  choice,
  duration,
  field,
  flag,
  integer,
  MISSING,
  nonEmptyText,
} from "./leaves.js";

/** Tells a type error on a mapping or list apart from a missing section. */
function expected(what: string) {
  return {
    error: (issue: { input?: unknown }) =>
      issue.input === undefined ? MISSING : `expected ${what}`,
  };
}

const apiShape = {
  base_url: field(httpUrl).prefault(DEFAULTS.api.base_url),
  timeout: field(duration({ allowZero: false })).prefault(DEFAULTS.api.timeout),
  max_concurrency: field(integer(1, 1024)).prefault(DEFAULTS.api.max_concurrency),
  retries: field(integer(0, 10)).prefault(DEFAULTS.api.retries),
  max_response_bytes: field(byteSize).prefault(DEFAULTS.api.max_response_bytes),
};

const api = z.strictObject(apiShape, expected("a mapping")).transform((raw) => ({
  baseUrl: raw.base_url,
  timeoutMs: raw.timeout,
  maxConcurrency: raw.max_concurrency,
  retries: raw.retries,
  maxResponseBytes: raw.max_response_bytes,
}));

const healthShape = {
  granularity: field(choice(["daily", "hourly"])).prefault(DEFAULTS.health.granularity),
  days: field(integer(1, 366)).prefault(DEFAULTS.health.days),
  answer_rate_unit: field(choice(["auto", "ratio", "percent"])).prefault(
    DEFAULTS.health.answer_rate_unit,
  ),
};

const health = z.strictObject(healthShape, expected("a mapping")).transform((raw) => ({
  granularity: raw.granularity,
  days: raw.days,
  answerRateUnit: raw.answer_rate_unit,
}));

const cacheShape = {
  ttl: field(duration({ allowZero: true })).prefault(DEFAULTS.cache.ttl),
};

const cache = z
  .strictObject(cacheShape, expected("a mapping"))
  .transform((raw) => ({ ttlMs: raw.ttl }));

const discoverShape = {
  enabled: field(flag).prefault(DEFAULTS.discover.enabled),
  refresh_interval: field(duration({ allowZero: false })).prefault(
    DEFAULTS.discover.refresh_interval,
  ),
  statuses: z
    .array(field(nonEmptyText), expected("a list of number statuses"))
    .min(1, "must list at least one status")
    .prefault([...DEFAULTS.discover.statuses]),
};

const discover = z
  .strictObject(discoverShape, expected("a mapping"))
  .transform((raw) => ({
    enabled: raw.enabled,
    refreshIntervalMs: raw.refresh_interval,
    statuses: raw.statuses,
  }));

const numberShape = {
  number: field(e164),
  labels: labels.prefault(DEFAULTS.account.labels),
};

/** A number entry: a bare string is short for `{ number: … }`. */
const numberEntry = z.preprocess(
  (value) => (typeof value === "string" ? { number: value } : value),
  z.strictObject(numberShape, {
    error: (issue) => {
      if (issue.code !== "invalid_type") return undefined;
      if (typeof issue.input === "number") return unquotedNumber(issue.input);
      return (
        'expected a number in quotes, such as "+919876543210", ' +
        "or a mapping with number and labels"
      );
    },
  }),
);

const accountShape = {
  name: field(nonEmptyText).optional(),
  auth_id: field(authId),
  auth_token: field(authToken).optional(),
  auth_token_file: field(nonEmptyText).optional(),
  labels: labels.prefault(DEFAULTS.account.labels),
  discover: discover.prefault({}),
  numbers: z.array(numberEntry, expected("a list of numbers")).prefault([]),
};

const account = z.strictObject(accountShape, expected("a mapping")).transform((raw) => ({
  name: raw.name ?? raw.auth_id,
  authId: raw.auth_id,
  authToken: raw.auth_token,
  authTokenFile: raw.auth_token_file,
  labels: raw.labels,
  discover: raw.discover,
  numbers: raw.numbers,
}));

const rootShape = {
  listen_address: field(listenAddress).prefault(DEFAULTS.listen_address),
  api: api.prefault({}),
  health: health.prefault({}),
  cache: cache.prefault({}),
  accounts: z
    .array(account, expected("a list of accounts"))
    .min(1, "must list at least one account"),
};

/**
 * The whole file. Its output is the configuration with tokens not yet read: each
 * account keeps `authToken` or `authTokenFile` as written.
 */
export const configSchema = z
  .strictObject(rootShape, expected("a mapping with at least an accounts list"))
  .transform((raw) => ({
    listenAddress: raw.listen_address,
    api: raw.api,
    health: raw.health,
    cache: raw.cache,
    accounts: raw.accounts,
  }));

/** What `configSchema` produces. */
export type ParsedConfig = z.output<typeof configSchema>;

/** The keys each mapping accepts, by path shape (`accounts[].discover`), for hints. */
export const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ["", Object.keys(rootShape)],
  ["api", Object.keys(apiShape)],
  ["health", Object.keys(healthShape)],
  ["cache", Object.keys(cacheShape)],
  ["accounts[]", Object.keys(accountShape)],
  ["accounts[].discover", Object.keys(discoverShape)],
  ["accounts[].numbers[]", Object.keys(numberShape)],
]);
