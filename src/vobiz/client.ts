import { performance } from "node:perf_hooks";

import { Agent, type Dispatcher } from "undici";

import type { AccountConfig, Granularity } from "../config/types.js";
import type { CancelSignal } from "./cancel-signal.js";
import { readErrorEnvelope } from "./envelope.js";
import { reasonForStatus, VobizError, type FailureReason } from "./errors.js";
import { getBody } from "./get-body.js";
import { parseHealth, type NumberHealth } from "./health.js";
import { parseRetryAfter } from "./retry-after.js";

/** The Vobiz endpoints this exporter calls; the `endpoint` label of its API metrics. */
export type Endpoint = "health" | "numbers";

/** One finished upstream request, successful or not, for the API metrics. */
export interface RequestObservation {
  readonly account: string;
  readonly endpoint: Endpoint;
  /** The HTTP status, or the failure reason when no response arrived. */
  readonly code: string;
  readonly seconds: number;
}

export interface ClientOptions {
  /** Vobiz base URL without a trailing slash. */
  readonly baseUrl: string;
  /** Bodies larger than this are abandoned as `too_large`. */
  readonly maxResponseBytes: number;
  /** Told of every request when it ends; feeds `vobiz_api_requests_total`. */
  readonly observe?: (observation: RequestObservation) => void;
  /** Connection pool; one keep-alive pool per client by default. */
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

export interface HealthQuery {
  readonly granularity: Granularity;
  readonly days: number;
  /** How many of the newest snapshots to keep of the answer; all when absent. */
  readonly keepSnapshots?: number;
}

/** A valid answer from the health endpoint. */
export interface HealthAnswer {
  readonly health: NumberHealth;
  readonly url: string;
  readonly status: number;
}

/** An HTTP 200 answer from the API, its body not yet decoded. */
export interface RawAnswer {
  /** UTF-8, as JSON must be; kept as bytes until it is parsed. */
  readonly body: Buffer;
  readonly url: string;
  readonly status: number;
}

/**
 * Calls the Vobiz API. Every failure comes back as a {@link VobizError} with one
 * reason; nothing else is thrown.
 */
export class VobizClient {
  readonly #options: ClientOptions;
  readonly #dispatcher: Dispatcher;
  readonly #now: () => number;
  readonly #origin: string;
  /** The path of the base URL, if any, without its trailing slash. */
  readonly #basePath: string;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#dispatcher = options.dispatcher ?? new Agent({ connections: 256 });
    this.#now = options.now ?? Date.now;
    const base = new URL(options.baseUrl);
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, "");
  }

  /** Reads one number's health over the configured window. */
  async getHealth(
    account: AccountConfig,
    number: string,
    query: HealthQuery,
    signal: CancelSignal,
  ): Promise<HealthAnswer> {
    const text = await this.fetchHealth(account, number, query, signal);
    return this.decodeHealth(text, query);
  }

  /**
   * The HTTP exchange of {@link getHealth} alone, so that a caller limiting requests in
   * flight can free its slot before the answer is decoded.
   * @throws VobizError for any failure, including a status other than 200.
   */
  fetchHealth(
    account: AccountConfig,
    number: string,
    query: HealthQuery,
    signal: CancelSignal,
  ): Promise<RawAnswer> {
    return this.#get(
      account,
      "health",
      healthPath(account.authId, number, query),
      signal,
    );
  }

  /**
   * Decodes and checks a body from {@link fetchHealth}.
   * @throws VobizError `parse` when it is not JSON or not a health answer.
   */
  decodeHealth(text: RawAnswer, query: HealthQuery): HealthAnswer {
    const { url, status } = text;
    const body = decodeJson(text.body, url, status);
    return { health: parseHealth(body, url, query.keepSnapshots), url, status };
  }

  /**
   * GETs a path of the API with the account's credentials and decodes the JSON body.
   * @throws VobizError for any failure, including a body that is not JSON.
   */
  async getJson(
    account: AccountConfig,
    endpoint: Endpoint,
    path: string,
    signal: CancelSignal,
  ): Promise<{ body: unknown; url: string; status: number }> {
    const { body, url, status } = await this.#get(account, endpoint, path, signal);
    return { body: decodeJson(body, url, status), url, status };
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** GETs a path; every outcome, answered or not, is told to `observe`. */
  async #get(
    account: AccountConfig,
    endpoint: Endpoint,
    path: string,
    signal: CancelSignal,
  ): Promise<RawAnswer> {
    const url = `${this.#options.baseUrl}${path}`;
    const started = performance.now();
    let code: string = "network";

    try {
      const { status, bytes, headers } = await this.#send(account, path, signal);
      code = String(status);
      if (status !== 200) {
        throw this.#statusError(account, url, status, bytes.toString("utf8"), headers);
      }
      return { body: bytes, url, status };
    } catch (error) {
      const failure = toVobizError(error, url, signal);
      if (failure.status === undefined) code = failure.reason;
      throw failure;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.#options.observe?.({ account: account.name, endpoint, code, seconds });
    }
  }

  #send(account: AccountConfig, path: string, signal: CancelSignal) {
    return getBody(this.#dispatcher, {
      origin: this.#origin,
      path: `${this.#basePath}${path}`,
      signal,
      maxBytes: this.#options.maxResponseBytes,
      headers: {
        accept: "application/json",
        "x-auth-id": account.authId,
        "x-auth-token": account.authToken.reveal(),
      },
    });
  }

  /** The error for an answer other than 200; its text may quote the account's token. */
  #statusError(
    account: AccountConfig,
    url: string,
    status: number,
    body: string,
    headers: Dispatcher.ResponseData["headers"],
  ): VobizError {
    const envelope = readErrorEnvelope(body, (text) =>
      account.authToken.redactFrom(text),
    );
    const retryAfter = headers["retry-after"];
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      this.#now(),
    );
    return new VobizError(reasonForStatus(status), `Vobiz answered HTTP ${status}`, {
      url,
      status,
      apiId: envelope.apiId,
      upstreamMessage: envelope.message,
      retryAfterMs,
    });
  }
}

/** The health path for a number: lower-case `account`, the `+` sent as `%2B`. */
export function healthPath(authId: string, number: string, query: HealthQuery): string {
  const account = encodeURIComponent(authId);
  const e164 = encodeURIComponent(number);
  const search = `granularity=${query.granularity}&days=${query.days}`;
  return `/api/v1/account/${account}/numbers/${e164}/health?${search}`;
}

function decodeJson(body: Buffer, url: string, status: number): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (cause) {
    throw new VobizError("parse", "response body is not valid JSON", {
      url,
      status,
      cause,
    });
  }
}

// Undici reports its failures with stable `code`s; messages are not matched.
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

function toVobizError(error: unknown, url: string, signal: CancelSignal): VobizError {
  if (error instanceof VobizError) return error;
  const code = errorCode(error);
  const reason: FailureReason =
    signal.aborted || TIMEOUT_CODES.has(code ?? "") ? "timeout" : "network";
  // The code (ECONNREFUSED, ENOTFOUND, ERR_SSL_…) tells DNS from TLS from a firewall.
  const what = reason === "timeout" ? "timed out" : "failed";
  const message = `request to Vobiz ${what}${code === undefined ? "" : ` (${code})`}`;
  return new VobizError(reason, message, { url, cause: error });
}

/** The error's own `code`, else its cause's: some failures arrive wrapped. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === "string") return code;
  return cause === undefined ? undefined : errorCode(cause);
}
