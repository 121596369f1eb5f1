import { randomUUID } from "node:crypto";

/** The error body of the health endpoint: `{api_id, error, message}`. */
export interface HealthErrorBody {
  api_id: string;
  error: string;
  message: string;
}

/** The general error envelope of the Vobiz errors page. */
export interface GeneralErrorBody {
  status: "error";
  error: { code: string; message: string; details: Record<string, unknown> };
  timestamp: string;
  requestId: string;
}

/** A `{api_id, error, message}` body with a fresh `api_id`. */
export function healthError(error: string, message: string): HealthErrorBody {
  return { api_id: randomUUID(), error, message };
}

/** A general envelope stamped with `now` and a fresh `requestId`. */
export function generalError(
  code: string,
  message: string,
  now: Date,
  details: Record<string, unknown> = {},
): GeneralErrorBody {
  return {
    status: "error",
    error: { code, message, details },
    timestamp: now.toISOString(),
    requestId: randomUUID(),
  };
}

/** The HTML page a proxy in front of the API might send instead of JSON. */
export const HTML_ERROR_PAGE = [
  "<!DOCTYPE html>",
  "<html>",
  "<head><title>500 Internal Server Error</title></head>",
  "<body>",
  "<center><h1>500 Internal Server Error</h1></center>",
  "<hr><center>nginx</center>",
  "</body>",
  "</html>",
  "",
].join("\n");
