import { Router } from "express";

import type { Reloader } from "../../reloader.js";

/**
 * `POST /-/reload`: 200 when the new configuration is in force, 500 with every
 * problem (one per line, plain text) when it was refused. Other methods get 405.
 */
export function reloadRoute(reloader: Reloader): Router {
  const router = Router();
  router.all("/-/reload", async (req, res) => {
    if (req.method !== "POST") {
      res.status(405).set("allow", "POST").type("text/plain");
      res.send("Only POST reloads the configuration.\n");
      return;
    }

    const result = await reloader.reload("http");
    if (result.ok) {
      res.type("text/plain").send("Configuration reloaded.\n");
      return;
    }
    const problems = result.problems.join("\n");
    res
      .status(500)
      .type("text/plain")
      .send(
        `Configuration not reloaded; the previous one stays in force.\n${problems}\n`,
      );
  });
  return router;
}
