#!/usr/bin/env node
import { buildCli } from "./cli.js";

// A failure that escapes a request handler must not end the process: the exporter
// keeps serving the other scrapes and reports the problem once on standard error.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(
    `${JSON.stringify({ level: "error", msg: "unhandled rejection", err: String(reason) })}\n`,
  );
});

buildCli((code) => process.exit(code))
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(
      `vobiz-exporter: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
