import { once } from "node:events";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A listen address split into host (undefined: every interface) and port. */
export interface ListenAddress {
  readonly host?: string;
  readonly port: number;
}

/**
 * Reads `host:port`, `:port` or `[v6]:port`.
 * @throws Error naming the address when it is not of that form.
 */
export function parseListenAddress(address: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new Error(
      `listen address "${address}" is not host:port or :port (for example ":9817")`,
    );
  }
  const host = match[1] ?? (match[2] || undefined);
  return host === undefined ? { port } : { host, port };
}

/** A started HTTP server and where it listens. */
export interface Listening {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

/** Serves `handler` on `address`; rejects if the port cannot be bound. */
export async function listen(
  handler: RequestListener,
  address: string,
): Promise<Listening> {
  const { host, port } = parseListenAddress(address);
  const server = createServer(handler);
  server.listen(port, host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([err]) => Promise.reject(err)),
  ]);

  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    server,
    url: `http://${shownHost}:${bound.port}`,
    close: (graceMs = 10_000) => closeGracefully(server, graceMs),
  };
}

async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
