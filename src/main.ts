#!/usr/bin/env node
import { buildCli } from "./cli.js";
import { limitHeapGrowth } from "./heap-growth.js";

limitHeapGrowth(process.execArgv);

// A failure that escapes a request handler must not end the process: the exporter
// keeps serving the other scrapes and reports the problem once on standard error.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(
    `${JSON.stringify({ level: "error", msg: "unhandled rejection", err: String(reason) })}\n`,
  );
});

// Request handlers' errors reach express's error handler, so what lands here comes
// from a stray callback (a socket, a timer). Each scrape builds its own registry and
// the configuration is immutable, so no shared state is left half-changed: serving on
// beats dropping out of Prometheus. Failures before serving still exit 1 below.
process.on("uncaughtException", (err) => {
  const line = {
    level: "error",
    msg: "uncaught exception",
    err: err.stack ?? String(err),
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
});

buildCli((code) => process.exit(code))
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(
      `vobiz-exporter: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
