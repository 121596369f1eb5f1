import type { IncomingMessage } from "node:http";

import { generalError } from "./errors.js";
import type { Reply } from "./reply.js";
import type { SimState } from "./state.js";
import type { SimAccount } from "./types.js";

/** A single-valued request header, or undefined. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The account whose `X-Auth-ID`/`X-Auth-Token` the request carries, when they are right
 * and the path names the same account; otherwise sends the 401 and returns undefined.
 */
export function authorize(
  reply: Reply,
  req: IncomingMessage,
  pathAuthId: string,
  state: SimState,
): SimAccount | undefined {
  const authId = header(req, "x-auth-id");
  const account = state.directory.authenticate(authId, header(req, "x-auth-token"));
  if (account && account.authId === pathAuthId) return account;

  const message = account
    ? "auth_id in the path does not match the credentials"
    : "missing or invalid X-Auth-ID or X-Auth-Token";
  reply.json(401, generalError("unauthorized", message, state.now()));
  return undefined;
}
