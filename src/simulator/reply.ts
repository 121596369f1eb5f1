import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

import type { RecordedRequest } from "./types.js";

/** Content type of every JSON body. */
export const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Writes one response and records its status on the request's record, if kept. With a
 * simulated latency, what is written waits until `ready`: the answer is built while the
 * latency runs, so that it leaves when the latency ends and not that much later.
 */
export class Reply {
  /** Resolves when the response may be sent; await it before writing to `res`. */
  readonly ready: Promise<void>;
  #waiting: boolean;

  constructor(
    readonly res: ServerResponse,
    private readonly record: RecordedRequest | undefined,
    latency?: Promise<void>,
  ) {
    this.#waiting = latency !== undefined;
    this.ready =
      latency?.then(() => {
        this.#waiting = false;
      }) ?? Promise.resolve();
  }

  /** Sends the status line and headers; the body follows through `res`. */
  head(status: number, headers: OutgoingHttpHeaders): void {
    this.#whenReady(() => this.#head(status, headers));
  }

  /** A complete JSON response. */
  json(status: number, value: unknown, headers?: OutgoingHttpHeaders): void {
    this.text(status, JSON.stringify(value), JSON_TYPE, headers);
  }

  /** A complete response with a text body of the given content type. */
  text(
    status: number,
    body: string,
    contentType: string,
    headers?: OutgoingHttpHeaders,
  ): void {
    const content = {
      "content-type": contentType,
      "content-length": Buffer.byteLength(body),
    };
    this.#whenReady(() => {
      this.#head(status, headers ? { ...headers, ...content } : content);
      this.res.end(body);
    });
  }

  #whenReady(send: () => void): void {
    // Sent later, outside the handler's own error handling: a failure drops the connection.
    if (this.#waiting) this.ready.then(send).catch(() => this.res.destroy());
    else send();
  }

  #head(status: number, headers: OutgoingHttpHeaders): void {
    if (this.record) this.record.status = status;
    this.res.writeHead(status, headers);
  }
}
