import { Router } from "express";

import { configYaml } from "../../config/redact.js";
import type { Exporter } from "../../exporter.js";
import { onlyRead } from "../only-read.js";

/** `GET /config`: the configuration in force as YAML, every secret as `<secret>`. */
export function configRoute(exporter: Exporter): Router {
  const router = Router();
  router
    .route("/config")
    .get((_req, res) => {
      res.type("text/plain; charset=utf-8").send(configYaml(exporter.config));
    })
    .all(onlyRead);
  return router;
}
