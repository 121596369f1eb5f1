import type { ServerResponse } from "node:http";

import { JSON_TYPE } from "./reply.js";
import type { Reply } from "./reply.js";

const CHUNK_BYTES = 64 * 1024;
const PADDING = Buffer.alloc(CHUNK_BYTES, "x");

/** Sends `text` as JSON in about 20 pieces spread over `durationMs`. */
export async function sendSlowly(
  reply: Reply,
  text: string,
  durationMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  await reply.ready;
  const body = Buffer.from(text);
  const pieces = Math.max(1, Math.min(20, body.length));
  const size = Math.ceil(body.length / pieces);
  reply.head(200, { "content-type": JSON_TYPE, "content-length": body.length });

  for (let at = 0; at < body.length; at += size) {
    if (reply.res.destroyed) return;
    reply.res.write(body.subarray(at, at + size));
    await sleep(durationMs / pieces);
  }
  reply.res.end();
}

/**
 * Streams a valid JSON object of `bytes` bytes (chunked, no Content-Length): `text` with
 * a leading `padding` string field. Stops early when the client goes away.
 */
export async function sendPadded(
  reply: Reply,
  text: string,
  bytes: number,
): Promise<void> {
  const head = '{"padding":"';
  const tail = `",${text.slice(1)}`;
  let left = Math.max(0, bytes - head.length - Buffer.byteLength(tail));
  await reply.ready;
  reply.head(200, { "content-type": JSON_TYPE });
  reply.res.write(head);

  while (left > 0) {
    if (reply.res.destroyed) return;
    const size = Math.min(left, CHUNK_BYTES);
    left -= size;
    if (!reply.res.write(PADDING.subarray(0, size))) await drained(reply.res);
  }
  if (!reply.res.destroyed) reply.res.end(tail);
}

/** Announces the full body, sends its first half, then resets the connection. */
export async function sendAndReset(reply: Reply, text: string): Promise<void> {
  await reply.ready;
  const body = Buffer.from(text);
  reply.head(200, { "content-type": JSON_TYPE, "content-length": body.length });
  reply.res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
    reply.res.socket?.resetAndDestroy();
  });
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
