import type { Secret } from "../secret.js";

/** Label names and values added to every series of an account or number. */
export type Labels = Readonly<Record<string, string>>;

export type Granularity = "daily" | "hourly";

export type AnswerRateUnit = "auto" | "ratio" | "percent";

/** One monitored phone number, in E.164 form (`+` and 2 to 15 digits). */
export interface NumberConfig {
  readonly number: string;
  readonly labels: Labels;
}

/** Listing an account's numbers through the API instead of (or as well as) naming them. */
export interface DiscoverConfig {
  readonly enabled: boolean;
  /** How often the list is read again, in milliseconds. */
  readonly refreshIntervalMs: number;
  /** Number `status` values that are kept; the others are ignored. */
  readonly statuses: readonly string[];
}

/** One Vobiz account (main or sub-account) with its own credentials. */
export interface AccountConfig {
  /** The `account` label; defaults to `authId`. */
  readonly name: string;
  readonly authId: string;
  readonly authToken: Secret;
  readonly labels: Labels;
  readonly discover: DiscoverConfig;
  readonly numbers: readonly NumberConfig[];
}

/** Settings for calls to the Vobiz API. */
export interface ApiConfig {
  readonly baseUrl: string;
  /** Cap for one upstream request, in milliseconds. */
  readonly timeoutMs: number;
  /** Upstream requests in flight, all accounts together. */
  readonly maxConcurrency: number;
  readonly retries: number;
  readonly maxResponseBytes: number;
}

export interface HealthConfig {
  readonly granularity: Granularity;
  readonly days: number;
  readonly answerRateUnit: AnswerRateUnit;
}

export interface CacheConfig {
  /** How long a number's result is reused, in milliseconds; 0 disables the cache. */
  readonly ttlMs: number;
}

/** The validated, defaulted contents of `exporter.yml`. */
export interface ExporterConfig {
  readonly listenAddress: string;
  readonly api: ApiConfig;
  readonly health: HealthConfig;
  readonly cache: CacheConfig;
  readonly accounts: readonly AccountConfig[];
}
