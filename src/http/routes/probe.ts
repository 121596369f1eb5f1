import type { Request, RequestHandler } from "express";

import type { Target } from "../../collect/target.js";
import { isE164 } from "../../discover/targets.js";
import type { Exporter } from "../../exporter.js";
import { wantsOpenMetrics } from "../negotiate.js";

/** Why a `/probe` request cannot be served: the 400 body, a sentence for people. */
export class ProbeRequestError extends Error {
  override readonly name = "ProbeRequestError";
}

const USAGE = "usage: /probe?account=NAME&number=%2B919876543210";

/**
 * `GET /probe?account=&number=`: one monitored number in a registry of its own, for
 * Prometheus's multi-target pattern. Only numbers the exporter monitors (configured or
 * discovered) are read, so `/probe` cannot be used to query arbitrary numbers with the
 * exporter's credentials. Bad parameters are a 400 with a plain-text reason.
 */
export function probeRoute(exporter: Exporter): RequestHandler {
  return async (req, res) => {
    let target: Target;
    try {
      target = probeTarget(exporter, req);
    } catch (error) {
      if (!(error instanceof ProbeRequestError)) throw error;
      res.status(400).type("text/plain").send(`${error.message}\n${USAGE}\n`);
      return;
    }

    const exposition = await exporter.probe(target, {
      timeoutHeader: req.get("x-prometheus-scrape-timeout-seconds"),
      openMetrics: wantsOpenMetrics(req.get("accept")),
    });
    res.type(exposition.contentType).send(exposition.body);
  };
}

/**
 * The monitored number a probe request names.
 * @throws ProbeRequestError saying which parameter is wrong and why.
 */
export function probeTarget(exporter: Exporter, req: Request): Target {
  const account = singleParam(req, "account");
  const number = singleParam(req, "number");

  const known = exporter.config.accounts.map((a) => a.name);
  if (!known.includes(account)) {
    throw new ProbeRequestError(
      `unknown account "${account}"; this exporter has: ${known.join(", ") || "none"}`,
    );
  }
  if (!isE164(number)) {
    // A `+` left unencoded in a query string arrives as a space.
    const hint = /^ \d/.test(number) ? '; write the "+" as %2B in the URL' : "";
    throw new ProbeRequestError(
      `number "${number}" is not E.164: "+" then 2 to 15 digits, the first not 0${hint}`,
    );
  }

  const target = exporter.findTarget(account, number);
  if (target === undefined) {
    throw new ProbeRequestError(
      `number ${number} is not monitored by account "${account}": it is neither ` +
        "configured nor discovered, and /probe reads only monitored numbers so that " +
        "the exporter's credentials cannot be used to look up any number",
    );
  }
  return target;
}

function singleParam(req: Request, name: string): string {
  const value = new URL(req.originalUrl, "http://probe").searchParams.getAll(name);
  if (value.length === 0 || value[0] === "") {
    throw new ProbeRequestError(`missing parameter "${name}"`);
  }
  if (value.length > 1) {
    throw new ProbeRequestError(`parameter "${name}" is given ${value.length} times`);
  }
  return value[0] ?? "";
}
