import { parseListenAddress } from "../http/listen.js";
import { createLogger } from "../log.js";
import {
  demoAccount,
  FAULT_NAMES,
  generatedAccount,
  startSimulator,
  type Fault,
  type FaultName,
} from "../simulator/index.js";

export interface SimulateFlags {
  readonly listenAddress: string;
  readonly latencyMs: number;
  /** Serve this many generated numbers instead of the demo account. */
  readonly numbers?: number;
  /** `NUMBER=FAULT` pairs, `*` for every number. */
  readonly faults: readonly string[];
}

/**
 * Reads `--fault` values such as `+919876543210=http_500` or `*=latency`.
 * @throws Error naming the value and the known faults.
 */
export function parseFaults(values: readonly string[]): Record<string, Fault> {
  const faults: Record<string, Fault> = {};
  for (const value of values) {
    const [number, name] = value.split("=");
    if (!number || !FAULT_NAMES.includes(name as FaultName)) {
      throw new Error(
        `--fault "${value}" is not NUMBER=FAULT; faults: ${FAULT_NAMES.join(", ")}`,
      );
    }
    faults[number] = { name: name as FaultName };
  }
  return faults;
}

/** Runs the Vobiz simulator alone until SIGTERM or SIGINT. */
export async function simulate(flags: SimulateFlags): Promise<number | undefined> {
  const logger = createLogger("info");
  const { host, port } = parseListenAddress(flags.listenAddress);
  const account =
    flags.numbers === undefined ? demoAccount() : generatedAccount(flags.numbers);
  const simulator = await startSimulator({
    host: host ?? "127.0.0.1",
    port,
    accounts: [account],
    latencyMs: flags.latencyMs,
    faults: parseFaults(flags.faults),
    recordRequests: false,
  });
  logger.info(
    { url: simulator.url, auth_id: account.authId, numbers: account.numbers.length },
    "vobiz simulator listening",
  );

  const stop = () => void simulator.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return undefined;
}
