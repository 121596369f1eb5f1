import type { Request, RequestHandler } from "express";

import type { Target } from "../../collect/target.js";
import type { Exporter } from "../../exporter.js";

/** One entry of Prometheus's HTTP service discovery answer. */
export interface TargetGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * `GET /sd`: Prometheus HTTP service discovery, one target group per monitored number,
 * in the blackbox style. The target is this exporter as the client reached it (the
 * `Host` header), and `__param_account` and `__param_number` become `/probe`'s query,
 * so a scrape job needs only `metrics_path: /probe`. The number's own labels
 * (`account`, `number`, `owner`, configured ones) come along for relabelling, such as
 * `hashmod` sharding or keeping one team's numbers.
 */
export function sdRoute(exporter: Exporter): RequestHandler {
  return (req, res) => {
    const address = ownAddress(req);
    res.json(exporter.targets.map((target) => targetGroup(target, address)));
  };
}

/** The target group of one number, scraped at `address`. */
export function targetGroup(target: Target, address: string): TargetGroup {
  return {
    targets: [address],
    labels: {
      __param_account: target.account.name,
      __param_number: target.number,
      ...target.labels,
    },
  };
}

function ownAddress(req: Request): string {
  const host = req.get("host");
  if (host !== undefined && host !== "") return host;

  // Without a Host header (HTTP/1.0), the socket's local end is the best guess.
  const { localAddress = "127.0.0.1", localPort } = req.socket;
  const bare = localAddress.replace(/^::ffff:/, "");
  return bare.includes(":") ? `[${bare}]:${localPort}` : `${bare}:${localPort}`;
}
