import { Writable } from "node:stream";

import { createLogger, type Logger } from "../../src/log.js";

/** A debug-level logger whose JSON lines are kept in `lines` for assertions. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger("debug", sink), lines };
}
