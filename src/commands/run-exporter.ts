import { Exporter } from "../exporter.js";
import type { ExporterConfig } from "../config/types.js";
import { createHttpApp } from "../http/app.js";
import { listen, type Listening } from "../http/listen.js";
import type { Logger } from "../log.js";
import { VERSION } from "../version.js";

/** A serving exporter, as started by {@link startExporter}. */
export interface RunningExporter {
  readonly exporter: Exporter;
  readonly listening: Listening;
  /** Stops accepting scrapes, lets the ones in flight finish, releases connections. */
  stop(): Promise<void>;
}

/** Builds the exporter for a loaded configuration and serves it. */
export async function startExporter(
  config: ExporterConfig,
  logger: Logger,
  listenAddress: string = config.listenAddress,
): Promise<RunningExporter> {
  const exporter = new Exporter({ config, logger, version: VERSION });
  const app = createHttpApp({ exporter, logger, version: VERSION });
  const listening = await listen(app, listenAddress);
  logger.info(
    { address: listenAddress, url: listening.url, numbers: exporter.targets.length },
    "exporter listening",
  );

  return {
    exporter,
    listening,
    stop: async () => {
      await listening.close();
      await exporter.close();
    },
  };
}

/**
 * Stops `stop` on SIGTERM or SIGINT and exits 0; a second signal exits at once.
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "shutting down");
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
