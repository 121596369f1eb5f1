import type { Response } from "express";

import type { StreamedExposition } from "../exposition.js";
import type { TextBatch } from "../metrics/render.js";

/**
 * Sends an exposition batch by batch, asking for the next batch only once the
 * connection has taken the last, so that a large scrape is never held whole in memory,
 * as a string or as its bytes. Each batch, already made, goes out in one write: an
 * answer rendered while its numbers were read leaves at once. A client that goes away
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
    for await (const batch of exposition.chunks) {
      if (res.destroyed) return;
      writeBatch(res, batch);
      if (res.writableNeedDrain) await drainedOrClosed(res);
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    res.destroy();
    throw error;
  }
}

/** Writes every piece of `batch` into the connection in one go. */
function writeBatch(res: Response, batch: TextBatch): void {
  res.cork();
  for (const piece of batch) res.write(piece);
  res.uncork();
}

/** Resolves once `res` can take more, or once its connection has closed. */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
