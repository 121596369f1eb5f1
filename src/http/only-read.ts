import type { Request, Response } from "express";

/**
 * The answer to any method but GET (and HEAD, which GET serves) on a path that is
 * only read: 405, saying which methods it takes. Given as a route's `.all()` after its
 * `.get()`, so that every read-only path says so, OPTIONS included.
 */
export function onlyRead(req: Request, res: Response): void {
  res.status(405).set("allow", "GET, HEAD").type("text/plain");
  res.send(`${req.path} is only read: use GET.\n`);
}
