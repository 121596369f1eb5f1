import { stringify } from "yaml";

import { formatProblem, parseConfig } from "../config/load.js";
import { createLogger, type LogLevel } from "../log.js";
import { reloadOnHangup } from "../reloader.js";
import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  startSimulator,
} from "../simulator/index.js";
import { startExporter, stopOnSignals } from "./run-exporter.js";
import { readWebConfigFlag } from "./web-config-flag.js";

export interface DemoFlags {
  readonly listenAddress: string;
  /** `--web.config.file`: TLS and basic auth. */
  readonly webConfigFile?: string;
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
  const web = await readWebConfigFlag(flags.webConfigFile);
  if (web === false) return 1;
  const logger = createLogger(flags.logLevel);
  // A long-running demo keeps no request log, so its memory stays flat.
  const simulator = await startSimulator({ port: 0, recordRequests: false });
  logger.info({ url: simulator.url }, "vobiz simulator listening");

  const yaml = demoConfigYaml(simulator.url, flags.listenAddress);
  const loaded = await parseConfig(yaml, "demo");
  if (!loaded.ok) {
    // The demo's own configuration is generated; a problem here is a bug to report.
    for (const problem of loaded.problems)
      process.stderr.write(`${formatProblem(problem)}\n`);
    await simulator.close();
    return 1;
  }

  // The demo has no file: a reload parses the same generated text and re-applies it.
  const running = await startExporter(loaded.config, logger, undefined, {
    ...web,
    load: () => parseConfig(yaml, "demo"),
  });
  stopOnSignals(logger, async () => {
    await running.stop();
    await simulator.close();
  });
  reloadOnHangup(running.reloader);
  return undefined;
}
