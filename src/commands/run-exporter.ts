import { Exporter } from "../exporter.js";
import type { LoadResult } from "../config/load.js";
import type { ExporterConfig } from "../config/types.js";
import { createHttpApp } from "../http/app.js";
import { listen, type Listening } from "../http/listen.js";
import { httpsSetup } from "../http/tls.js";
import type { WebConfig } from "../http/web-config.js";
import { webHandler } from "../http/web-handler.js";
import type { Logger } from "../log.js";
import { Reloader } from "../reloader.js";
import { VERSION } from "../version.js";

/** A serving exporter, as started by {@link startExporter}. */
export interface RunningExporter {
  readonly exporter: Exporter;
  readonly listening: Listening;
  readonly reloader: Reloader;
  /** Stops accepting scrapes, lets the ones in flight finish, releases connections. */
  stop(): Promise<void>;
}

/** How {@link startExporter} reloads and secures what it serves. */
export interface StartOptions {
  /** Reads the configuration afresh for a reload; default: the one it started with. */
  readonly load?: () => Promise<LoadResult>;
  /** TLS and basic auth from `--web.config.file`. */
  readonly web?: WebConfig;
}

/** Builds the exporter for a loaded configuration and serves it. */
export async function startExporter(
  config: ExporterConfig,
  logger: Logger,
  listenAddress: string = config.listenAddress,
  options: StartOptions = {},
): Promise<RunningExporter> {
  const exporter = new Exporter({ config, logger, version: VERSION });
  const load = options.load ?? (async (): Promise<LoadResult> => ({ ok: true, config }));
  const reloader = new Reloader({ exporter, logger, load });
  const app = createHttpApp({ exporter, logger, version: VERSION, reloader });
  const tls = options.web?.tls;
  const listening = await listen(webHandler(options.web, app), listenAddress, {
    ...(tls === undefined ? {} : { https: httpsSetup(tls) }),
  });
  logger.info(
    { address: listenAddress, url: listening.url, numbers: exporter.targets.length },
    "exporter listening",
  );

  return {
    exporter,
    listening,
    reloader,
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
