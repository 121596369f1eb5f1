import express, { type NextFunction, type Request, type Response } from "express";

import type { Exporter } from "../exporter.js";
import type { Logger } from "../log.js";
import type { Reloader } from "../reloader.js";
import { landingPage } from "./landing.js";
import { onlyRead } from "./only-read.js";
import { wantsOpenMetrics } from "./negotiate.js";
import { configRoute } from "./routes/config.js";
import { debugRoute } from "./routes/debug.js";
import { probeRoute } from "./routes/probe.js";
import { reloadRoute } from "./routes/reload.js";
import { sdRoute } from "./routes/sd.js";
import { sendStreamed } from "./send-streamed.js";

export interface HttpAppOptions {
  readonly exporter: Exporter;
  readonly logger: Logger;
  readonly version: string;
  /** Serves `POST /-/reload`; without it that path is not served. */
  readonly reloader?: Reloader;
  readonly now?: () => number;
}

/** The exporter's HTTP endpoints, ready to be served by `node:http` or a test. */
export function createHttpApp(options: HttpAppOptions): express.Express {
  const { exporter, logger, version } = options;
  const now = options.now ?? Date.now;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  // Every path but /-/reload is only read: its route answers other methods with 405.
  app
    .route("/metrics")
    .get(async (req, res) => {
      // A client that hangs up before the answer (a Prometheus timeout, `curl -m`) stops
      // the scrape's reading: nobody is left to see what it would read.
      const abandoned = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) abandoned.abort();
      });
      const exposition = await exporter.scrapeStream({
        timeoutHeader: req.get("x-prometheus-scrape-timeout-seconds"),
        openMetrics: wantsOpenMetrics(req.get("accept")),
        abandoned: abandoned.signal,
      });
      await sendStreamed(res, exposition);
    })
    .all(onlyRead);

  app.route("/probe").get(probeRoute(exporter)).all(onlyRead);
  app.route("/sd").get(sdRoute(exporter)).all(onlyRead);

  app
    .route("/")
    .get((_req, res) => {
      res
        .type("text/html; charset=utf-8")
        .send(landingPage(exporter, version, now()).value);
    })
    .all(onlyRead);

  app.route("/debug").get(debugRoute(exporter, now)).all(onlyRead);

  app
    .route("/-/healthy")
    .get((_req, res) => {
      res.type("text/plain").send("Healthy\n");
    })
    .all(onlyRead);

  // The exporter listens only once a configuration has loaded, so it is ready then.
  app
    .route("/-/ready")
    .get((_req, res) => {
      res.type("text/plain").send("Ready\n");
    })
    .all(onlyRead);

  app.use(configRoute(exporter));
  if (options.reloader !== undefined) app.use(reloadRoute(options.reloader));

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("Not found. See / for the endpoints.\n");
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err, path: req.path }, "request failed");
    if (res.headersSent) return;
    res.status(500).type("text/plain").send("Internal error; see the exporter's log.\n");
  });

  return app;
}
