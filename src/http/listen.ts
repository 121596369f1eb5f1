import { once } from "node:events";
import { createServer, type RequestListener, type Server } from "node:http";
import {
  createServer as createHttpsServer,
  type Server as HttpsServer,
} from "node:https";
import type { AddressInfo } from "node:net";

import { splitListenAddress, type ListenAddress } from "../config/formats.js";
import type { HttpsSetup } from "./tls.js";

/**
 * Reads `host:port`, `:port` or `[v6]:port`, as `listen_address` is checked.
 * @throws Error naming the address when it is not of that form.
 */
export function parseListenAddress(address: string): ListenAddress {
  const split = splitListenAddress(address);
  if (split === undefined) {
    throw new Error(
      `listen address "${address}" is not host:port, :port or [IPv6 address]:port ` +
        '(for example ":9817"), with a port up to 65535',
    );
  }
  return split;
}

/** A started HTTP server and where it listens. */
export interface Listening {
  readonly server: Server | HttpsServer;
  readonly url: string;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

/** Options of {@link listen}. */
export interface ListenOptions {
  /** Serve HTTPS with these settings instead of plain HTTP. */
  readonly https?: HttpsSetup;
}

// A client gets this long to send its headers, and its whole request; scrapes are
// GETs, so a slow sender is a stuck or hostile one, not a large upload.
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Serves `handler` on `address`; rejects if the port cannot be bound. */
export async function listen(
  handler: RequestListener,
  address: string,
  options: ListenOptions = {},
): Promise<Listening> {
  const { host, port } = parseListenAddress(address);
  const timeouts = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
  };
  const tls = options.https;
  const server =
    tls === undefined
      ? createServer(timeouts, handler)
      : createHttpsServer({ ...tls.options, ...timeouts }, handler);
  if (tls !== undefined) server.on("secureConnection", tls.onSecureConnection);
  server.listen(port, host);
  // once() rejects with the server's "error" event, a port in use among them.
  await once(server, "listening").catch((error: unknown) => {
    throw listenError(error, address);
  });

  const bound = server.address() as AddressInfo;
  const shownHost = WILDCARDS.has(bound.address)
    ? "localhost"
    : bound.family === "IPv6"
      ? `[${bound.address}]`
      : bound.address;
  return {
    server,
    url: `${tls === undefined ? "http" : "https"}://${shownHost}:${bound.port}`,
    close: (graceMs = 10_000) => closeGracefully(server, graceMs),
  };
}

// Bound to every interface: the URL names this machine, so that it can be opened.
const WILDCARDS = new Set(["::", "0.0.0.0"]);

const LISTEN_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: "another process is listening there; stop it or choose another port",
  EACCES: "ports below 1024 need privileges; choose a port from 1024 up",
  EADDRNOTAVAIL: "no interface of this machine has that address",
  ENOTFOUND: "the host name does not resolve; give an IP address or a known name",
  EAI_AGAIN: "the host name could not be resolved now; give an IP address",
};

/** Why the address could not be bound, and what to do, naming the flag to change. */
function listenError(error: unknown, address: string): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? "";
  const hint = LISTEN_HINTS[code];
  if (hint === undefined)
    return error instanceof Error ? error : new Error(String(error));
  return new Error(
    `cannot listen on "${address}" (${code}): ${hint}; the address is set by ` +
      "--web.listen-address or listen_address",
    { cause: error },
  );
}

async function closeGracefully(
  server: Listening["server"],
  graceMs: number,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A keep-alive connection whose scrape finishes after close() would otherwise stay
  // open until its keep-alive timeout: close each one as soon as it goes idle.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearInterval(sweep);
  clearTimeout(timer);
}

const IDLE_SWEEP_MS = 50;
