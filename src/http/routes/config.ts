import { Router } from "express";

import { configYaml } from "../../config/redact.js";
import type { Exporter } from "../../exporter.js";

/** `GET /config`: the configuration in force as YAML, every secret as `<secret>`. */
export function configRoute(exporter: Exporter): Router {
  const router = Router();
  router.get("/config", (_req, res) => {
    res.type("text/plain; charset=utf-8").send(configYaml(exporter.config));
  });
  return router;
}
