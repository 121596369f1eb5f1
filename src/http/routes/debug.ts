import type { Request, Response } from "express";

import type { Exporter } from "../../exporter.js";
import { debugPage } from "../debug-page.js";

/**
 * `GET /debug?account=A&number=N`: one monitored number's last request and series.
 * Only numbers the exporter monitors have a page; anything else is a 404.
 */
export function debugRoute(exporter: Exporter, now: () => number) {
  return async (req: Request, res: Response): Promise<void> => {
    const account = typeof req.query.account === "string" ? req.query.account : "";
    const number = typeof req.query.number === "string" ? req.query.number : "";
    const target = exporter.findTarget(account, number);
    if (target === undefined) {
      res
        .status(404)
        .type("text/plain")
        .send("No such number: pass ?account=NAME&number=%2B… of a monitored number.\n");
      return;
    }

    const body = await debugPage(
      target,
      exporter.lastOutcome(target),
      exporter.config,
      now(),
    );
    res.type("text/html; charset=utf-8").send(body.value);
  };
}
