import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { generalError, healthError } from "./errors.js";
import { handleHealth } from "./health.js";
import { handleList } from "./list.js";
import { Reply } from "./reply.js";
import { matchRoute } from "./routes.js";
import { SimState } from "./state.js";
import type { RecordedRequest, RunningSimulator, SimulatorOptions } from "./types.js";

/**
 * Starts a Vobiz API simulator on `host:port` (default 127.0.0.1, a free port) serving
 * the health and number-list endpoints for `accounts` (default the demo account).
 */
export async function startSimulator(
  options: SimulatorOptions = {},
): Promise<RunningSimulator> {
  const state = new SimState(options);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const recording = options.recordRequests ?? true;

  const server = createServer({ noDelay: true }, (req, res) => {
    const record = recording ? recordOf(req) : undefined;
    if (record) requests.push(record);
    req.resume();
    // The latency runs from the request's arrival, while its answer is being built.
    const latency = state.latencyMs > 0 ? state.timers.sleep(state.latencyMs) : undefined;
    handle(state, req, res, record, latency).catch(() => fail(state, res, record));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  const address = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return {
    url: urlOf(address),
    requests,
    setFault: (key, fault) => state.setFault(key, fault),
    removeNumber: (e164) => state.directory.remove(e164),
    resetRequests: () => {
      requests.length = 0;
    },
    close: async () => {
      state.timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function handle(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest | undefined,
  latency: Promise<void> | undefined,
): Promise<void> {
  const reply = new Reply(res, record, latency);
  const route = matchRoute(req.url ?? "/");

  if (route.kind === "not_found") {
    return reply.json(404, healthError("not_found", "route not found"));
  }
  if (req.method !== "GET") {
    const envelope = generalError(
      "method_not_allowed",
      "only GET is served",
      state.now(),
    );
    return reply.json(405, envelope, { allow: "GET" });
  }
  if (route.kind === "health") return handleHealth(reply, req, route, state);
  return handleList(reply, req, route, state);
}

/** A handler bug must not take the simulator down: answer 500, or drop the connection. */
function fail(
  state: SimState,
  res: ServerResponse,
  record: RecordedRequest | undefined,
): void {
  try {
    if (res.headersSent || res.destroyed) throw new Error("response already started");
    const envelope = generalError("internal_error", "simulator error", state.now());
    new Reply(res, record).json(500, envelope);
  } catch {
    res.destroy();
  }
}

function recordOf(req: IncomingMessage): RecordedRequest {
  const record: RecordedRequest = {
    method: req.method ?? "",
    rawPath: req.url ?? "",
    status: 0,
    at: Date.now(),
  };
  const authId = req.headers["x-auth-id"];
  const authToken = req.headers["x-auth-token"];
  if (typeof authId === "string") record.authId = authId;
  if (typeof authToken === "string") record.authToken = authToken;
  return record;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
