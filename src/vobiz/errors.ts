/**
 * Why one number's health could not be read. A closed set: each value is a label of
 * `vobiz_number_scrape_errors_total` and alert rules match on them.
 */
export type FailureReason =
  | "timeout"
  | "auth"
  | "not_found"
  | "rate_limited"
  | "http_4xx"
  | "http_5xx"
  | "parse"
  | "network"
  | "too_large";

/** Every failure reason, in a stable order. */
export const FAILURE_REASONS: readonly FailureReason[] = [
  "timeout",
  "auth",
  "not_found",
  "rate_limited",
  "http_4xx",
  "http_5xx",
  "parse",
  "network",
  "too_large",
];

/** What is known about a failed upstream call, beyond its reason. */
export interface VobizErrorDetails {
  /** The request URL without credentials (they travel in headers only). */
  readonly url?: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Vobiz's request id (`api_id` or `requestId`), for support tickets. */
  readonly apiId?: string;
  /** A short, cleaned excerpt of Vobiz's own message or of the body. */
  readonly upstreamMessage?: string;
  /** How long Vobiz asked us to wait, from `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** A failed call to the Vobiz API, classified into one {@link FailureReason}. */
export class VobizError extends Error {
  readonly reason: FailureReason;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly apiId: string | undefined;
  readonly upstreamMessage: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(reason: FailureReason, message: string, details: VobizErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "VobizError";
    this.reason = reason;
    this.url = details.url;
    this.status = details.status;
    this.apiId = details.apiId;
    this.upstreamMessage = details.upstreamMessage;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The reason for an HTTP status that is not a success. */
export function reasonForStatus(status: number): FailureReason {
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "http_5xx";
  return "http_4xx";
}
