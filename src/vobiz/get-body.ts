import type { IncomingHttpHeaders } from "node:http";

import type { Dispatcher } from "undici";

import type { CancelSignal } from "./cancel-signal.js";
import { VobizError } from "./errors.js";

/** A whole response, its body as the bytes that arrived. */
export interface WholeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /**
   * Decoded only when read: a body waiting for its turn to be parsed stays outside
   * the JavaScript heap, where the garbage collector neither copies nor promotes it.
   */
  readonly bytes: Buffer;
}

/** Where and how to send one GET. */
export interface BodyRequest {
  readonly origin: string;
  /** Path and query, already percent-encoded. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly signal: CancelSignal;
  /** Bodies larger than this are abandoned as `too_large`. */
  readonly maxBytes: number;
}

/**
 * GETs a path and reads the whole body, through undici's dispatch handler API rather
 * than `request()`: no body stream and no async iterator per request, which took the
 * exporter's CPU per number down by about a third in `npm run bench`.
 * @throws VobizError `too_large` past `maxBytes`; undici's own errors otherwise.
 */
export function getBody(
  dispatcher: Dispatcher,
  request: BodyRequest,
): Promise<WholeResponse> {
  const { origin, path, headers, signal, maxBytes } = request;
  return new Promise<WholeResponse>((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));

    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let head: IncomingHttpHeaders = {};
    let controller: Dispatcher.DispatchController | undefined;
    // An abort before the request has a connection is applied once it has one.
    const abort = () => controller?.abort(abortReason(signal));
    signal.addEventListener("abort", abort, { once: true });
    const settle = () => signal.removeEventListener("abort", abort);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (signal.aborted) started.abort(abortReason(signal));
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        head = responseHeaders;
      },
      onResponseData(current, chunk) {
        if (current.aborted) return;
        size += chunk.length;
        if (size > maxBytes) {
          const url = `${origin}${path}`;
          current.abort(
            new VobizError("too_large", `response body exceeds ${maxBytes} bytes`, {
              url,
            }),
          );
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle();
        // Most bodies arrive in one chunk, which needs no copy.
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        resolve({ status, headers: head, bytes });
      },
      onResponseError(_controller, error) {
        settle();
        reject(error);
      },
    };

    try {
      dispatcher.dispatch({ origin, path, method: "GET", headers }, handler);
    } catch (error) {
      settle();
      reject(error);
    }
  });
}

function abortReason(signal: CancelSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("request aborted");
}
