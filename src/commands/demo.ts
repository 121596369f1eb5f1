import { stringify } from "yaml";

import { formatProblem, parseConfig } from "../config/load.js";
import { createLogger, type LogLevel } from "../log.js";
import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  startSimulator,
} from "../simulator/index.js";
import { startExporter, stopOnSignals } from "./run-exporter.js";

export interface DemoFlags {
  readonly listenAddress: string;
  readonly logLevel: LogLevel;
}

/** The configuration the demo runs: the simulator's demo account, every number. */
export function demoConfigYaml(simulatorUrl: string, listenAddress: string): string {
  return stringify({
    listen_address: listenAddress,
    api: { base_url: simulatorUrl },
    accounts: [
      {
        name: "demo",
        auth_id: DEMO_AUTH_ID,
        auth_token: DEMO_AUTH_TOKEN,
        labels: { env: "demo" },
        numbers: demoAccount().numbers.map((n) => n.e164),
      },
    ],
  });
}

/** Starts the simulator on a free loopback port and the exporter against it. */
export async function demo(flags: DemoFlags): Promise<number | undefined> {
  const logger = createLogger(flags.logLevel);
  // A long-running demo keeps no request log, so its memory stays flat.
  const simulator = await startSimulator({ port: 0, recordRequests: false });
  logger.info({ url: simulator.url }, "vobiz simulator listening");

  const loaded = await parseConfig(
    demoConfigYaml(simulator.url, flags.listenAddress),
    "demo",
  );
  if (!loaded.ok) {
    // The demo's own configuration is generated; a problem here is a bug to report.
    for (const problem of loaded.problems)
      process.stderr.write(`${formatProblem(problem)}\n`);
    await simulator.close();
    return 1;
  }

  const running = await startExporter(loaded.config, logger);
  stopOnSignals(logger, async () => {
    await running.stop();
    await simulator.close();
  });
  return undefined;
}
