import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { Response } from "express";

import type { StreamedExposition } from "../exporter.js";

/**
 * Sends an exposition piece by piece as the client reads it, so that a large scrape is
 * never held whole in memory, as a string or as its bytes. A client that goes away
 * mid-answer only ends the writing; any other failure is thrown, after the connection
 * is cut so that the client sees a broken answer rather than a short one. The
 * exposition is released once the connection no longer needs its bytes.
 */
export async function sendStreamed(
  res: Response,
  exposition: StreamedExposition,
): Promise<void> {
  // Its buffers are reused once the connection is done with them: when the answer has
  // been sent, or the connection cut, perhaps before a byte of it was written.
  if (res.closed) {
    exposition.release();
    return;
  }
  res.once("close", exposition.release);

  res.type(exposition.contentType);
  try {
    await pipeline(Readable.from(exposition.chunks, { highWaterMark: 1 }), res);
  } catch (error) {
    if (clientWentAway(error)) return;
    throw error;
  }
}

function clientWentAway(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET";
}
