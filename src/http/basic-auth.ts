import { createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import bcrypt from "bcryptjs";

/** The realm sent in `WWW-Authenticate`. */
export const REALM = "vobiz-exporter";

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** User name to bcrypt hash. */
  readonly users: ReadonlyMap<string, string>;
  /** How long a successful check is remembered; default 60 s. */
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
}

/** A node request listener, as express apps and this module's wrapper both are. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const UNAUTHORIZED_BODY = "Unauthorized\n";
const MAX_CACHED = 256;

/**
 * Wraps `next` so that every request must carry the credentials of one of `users`
 * (HTTP basic auth, checked with bcrypt); anything else gets the same 401. An unknown
 * user is checked against a dummy hash of the same cost, so the answer takes as long
 * as for a wrong password and says nothing about which users exist.
 */
export function basicAuth(options: BasicAuthOptions, next: Handler): Handler {
  const check = credentialChecker(options);
  return (req, res) => {
    check(req.headers.authorization).then(
      (ok) => (ok ? next(req, res) : unauthorized(res)),
      () => unauthorized(res),
    );
  };
}

function unauthorized(res: ServerResponse): void {
  res.writeHead(401, {
    "www-authenticate": `Basic realm="${REALM}"`,
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(UNAUTHORIZED_BODY),
  });
  res.end(UNAUTHORIZED_BODY);
}

/**
 * A function that tells whether an `Authorization` header holds valid credentials.
 * Successful checks are cached briefly under an HMAC of user, hash and password with
 * a key made for this process, so neither the password nor a fast hash of it is kept.
 */
export function credentialChecker(
  options: BasicAuthOptions,
): (header: string | undefined) => Promise<boolean> {
  const { users } = options;
  const ttlMs = options.cacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cacheKey = randomBytes(32);
  const cache = new Map<string, number>();
  const dummy = dummyHash(users);

  return async (header) => {
    const credentials = parseBasic(header);
    if (credentials === undefined) return false;

    const { user, password } = credentials;
    const hash = users.get(user);
    const key = createHmac("sha256", cacheKey)
      .update(`${user}\0${hash ?? ""}\0${password}`)
      .digest("base64");
    const cachedUntil = cache.get(key);
    if (cachedUntil !== undefined && cachedUntil > now()) return true;
    cache.delete(key);

    const ok = await bcrypt.compare(password, hash ?? (await dummy));
    if (!ok || hash === undefined) return false;

    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(key, now() + ttlMs);
    return true;
  };
}

/** A hash of a random password, at the cost the configured users' hashes use. */
async function dummyHash(users: ReadonlyMap<string, string>): Promise<string> {
  const first = users.values().next().value;
  const cost = first === undefined ? 10 : bcrypt.getRounds(first);
  return bcrypt.hash(randomBytes(18).toString("base64"), cost);
}

/** User and password from `Basic base64(user:password)`, or undefined. */
function parseBasic(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;

  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
