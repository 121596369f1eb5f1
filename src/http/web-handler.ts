import type { IncomingMessage, ServerResponse } from "node:http";

import { basicAuth, type Handler } from "./basic-auth.js";
import type { WebConfig } from "./web-config.js";

/**
 * Puts the web configuration's HTTP side in front of `app`: its extra response
 * headers, then basic auth for every path (health and readiness included, as the
 * exporter toolkit does) when users are configured.
 */
export function webHandler(
  web: WebConfig | undefined,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): Handler {
  if (web === undefined) return app;

  const guarded = web.users.size > 0 ? basicAuth({ users: web.users }, app) : app;
  const headers = Object.entries(web.headers);
  if (headers.length === 0) return guarded;
  return (req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    guarded(req, res);
  };
}
