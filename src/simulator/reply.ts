import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

import type { RecordedRequest } from "./types.js";

/** Content type of every JSON body. */
export const JSON_TYPE = "application/json; charset=utf-8";

/** Writes one response and records its status on the request's record, if kept. */
export class Reply {
  constructor(
    readonly res: ServerResponse,
    private readonly record: RecordedRequest | undefined,
  ) {}

  /** Sends the status line and headers; the body follows through `res`. */
  head(status: number, headers: OutgoingHttpHeaders): void {
    if (this.record) this.record.status = status;
    this.res.writeHead(status, headers);
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
    this.head(status, headers ? { ...headers, ...content } : content);
    this.res.end(body);
  }
}
