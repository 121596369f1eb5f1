import type { HealthBody } from "./data.js";
import { generalError, HTML_ERROR_PAGE } from "./errors.js";
import { JSON_TYPE } from "./reply.js";
import type { Reply } from "./reply.js";
import { sendAndReset, sendPadded, sendSlowly } from "./transport.js";
import type { Fault, FaultName } from "./types.js";

/** Every fault name, for validating faults that come from outside TypeScript. */
export const FAULT_NAMES: readonly FaultName[] = [
  "latency",
  "stall",
  "slow_body",
  "rate_limited",
  "rate_limited_no_retry_after",
  "rate_limited_once",
  "http_500",
  "http_502",
  "http_503",
  "http_504",
  "html_error",
  "truncated_json",
  "malformed_json",
  "wrong_type",
  "extra_fields",
  "oversized",
  "reset",
  "unauthorized",
  "forbidden",
];

/** What a fault needs from the running simulator. */
export interface FaultEnv {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

interface ErrorFault {
  status: number;
  code: string;
  message: string;
  retryAfter?: string;
}

const ERROR_FAULTS: Partial<Record<FaultName, ErrorFault>> = {
  rate_limited_no_retry_after: {
    status: 429,
    code: "rate_limited",
    message: "too many requests",
  },
  http_500: { status: 500, code: "internal_error", message: "internal server error" },
  http_502: { status: 502, code: "bad_gateway", message: "bad gateway" },
  http_503: {
    status: 503,
    code: "service_unavailable",
    message: "service temporarily unavailable",
    retryAfter: "1",
  },
  http_504: { status: 504, code: "gateway_timeout", message: "gateway timeout" },
  unauthorized: { status: 401, code: "unauthorized", message: "invalid credentials" },
  forbidden: {
    status: 403,
    code: "forbidden",
    message: "access to this number is denied",
  },
};

const DEFAULT_DELAY_MS = 1000;
const DEFAULT_OVERSIZED_BYTES = 16 * 1024 * 1024;

/**
 * Answers with the error `fault` stands for (or, for `stall`, never answers) and
 * returns true; returns false, sending nothing, for faults that change a 200 body.
 */
export function sendErrorFault(reply: Reply, fault: Fault, env: FaultEnv): boolean {
  const error = ERROR_FAULTS[fault.name];
  if (error) {
    const headers = error.retryAfter ? { "retry-after": error.retryAfter } : {};
    reply.json(error.status, generalError(error.code, error.message, env.now()), headers);
    return true;
  }
  return fault.name === "stall"; // never answered; close() destroys the socket
}

/** A health 200 body: its JSON text, and the object for the faults that rewrite it. */
export interface HealthAnswer {
  text: string;
  body: () => HealthBody;
}

/** Answers a health request with `answer`, misbehaving as `fault` says. */
export async function sendHealth(
  reply: Reply,
  answer: HealthAnswer,
  fault: Fault | undefined,
  env: FaultEnv,
): Promise<void> {
  if (fault && sendErrorFault(reply, fault, env)) return;
  const { text } = answer;
  if (!fault) return reply.text(200, text, JSON_TYPE);

  switch (fault.name) {
    case "latency":
      // On top of the simulator's own latency, not within it.
      await reply.ready;
      await env.sleep(fault.latencyMs ?? DEFAULT_DELAY_MS);
      return reply.text(200, text, JSON_TYPE);
    case "slow_body":
      return sendSlowly(reply, text, fault.latencyMs ?? DEFAULT_DELAY_MS, env.sleep);
    case "rate_limited": {
      const retryAfter = String(fault.retryAfterSeconds ?? 30);
      const envelope = generalError("rate_limited", "too many requests", env.now());
      return reply.json(429, envelope, { "retry-after": retryAfter });
    }
    case "html_error":
      return reply.text(500, HTML_ERROR_PAGE, "text/html; charset=utf-8");
    case "oversized":
      return sendPadded(reply, text, fault.bytes ?? DEFAULT_OVERSIZED_BYTES);
    case "reset":
      return sendAndReset(reply, text);
    default:
      return reply.text(200, corrupt(answer, fault.name), JSON_TYPE);
  }
}

/** The 200 body of the faults that only change what is sent. */
function corrupt({ text, body }: HealthAnswer, name: FaultName): string {
  switch (name) {
    case "truncated_json":
      return text.slice(0, Math.floor(text.length / 2));
    case "malformed_json":
      // An unquoted key: looks like JSON, is not.
      return text.replace('"summary":', "summary:");
    case "wrong_type": {
      const original = body();
      return JSON.stringify({
        ...original,
        summary: { ...original.summary, total_calls: "lots" },
      });
    }
    case "extra_fields":
      return JSON.stringify(withExtraFields(body()));
    default:
      return text;
  }
}

/** `body` with unknown fields at every level, as a newer API version might send. */
function withExtraFields(body: HealthBody): Record<string, unknown> {
  return {
    api_version: "v1.9",
    ...body,
    region: "ap-south-1",
    carrier: { name: "Simulated Telecom", mcc: "404", mnc: "45" },
    tags: [],
    application_id: null,
    summary: { ...body.summary, abandoned_calls: 0, peak_hour: 18, currency: "INR" },
    snapshots: body.snapshots.map((snapshot) => ({
      ...snapshot,
      busy_calls: 0,
      quality: { mos: 4.2, jitter_ms: 12 },
      note: null,
    })),
  };
}
