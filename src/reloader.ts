import type { LoadResult } from "./config/load.js";
import { formatProblem } from "./config/load.js";
import type { Exporter } from "./exporter.js";
import type { Logger } from "./log.js";

/** What a reload did: swapped in the new configuration, or why it did not. */
export type ReloadResult = { ok: true } | { ok: false; problems: readonly string[] };

/** Where a reload was asked for; logged with it. */
export type ReloadTrigger = "signal" | "http";

export interface ReloaderOptions {
  readonly exporter: Exporter;
  readonly logger: Logger;
  /** Reads and validates the configuration afresh, token files included. */
  readonly load: () => Promise<LoadResult>;
  readonly now?: () => number;
}

/**
 * Re-reads the configuration and puts it in force only when it is valid. Reloads run
 * one at a time, in the order asked; a bad one leaves the running configuration as it
 * was and sets `vobiz_config_last_reload_successful` to 0.
 */
export class Reloader {
  readonly #options: ReloaderOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  /** Reloads after any reload already running has finished. */
  reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    const run = this.#queue.then(() => this.#reloadNow(trigger));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #reloadNow(trigger: ReloadTrigger): Promise<ReloadResult> {
    const { exporter, logger, load } = this.#options;
    const now = this.#options.now ?? Date.now;

    const loaded = await load().catch((err: unknown): LoadResult => ({
      ok: false,
      problems: [
        {
          file: "(reload)",
          line: 1,
          col: 1,
          path: "(root)",
          message: `could not load the configuration: ${errorText(err)}`,
        },
      ],
    }));
    if (!loaded.ok) {
      const problems = loaded.problems.map(formatProblem);
      exporter.metrics.recordReload(false, now());
      logger.error({ trigger, problems }, "configuration reload failed");
      return { ok: false, problems };
    }

    if (loaded.config.listenAddress !== exporter.config.listenAddress) {
      logger.warn(
        { listen_address: loaded.config.listenAddress },
        "listen address change takes effect only after a restart",
      );
    }
    exporter.apply(loaded.config);
    logger.info({ trigger, numbers: exporter.targets.length }, "configuration reloaded");
    return { ok: true };
  }
}

/** Reloads on SIGHUP, which would otherwise end the process. */
export function reloadOnHangup(reloader: Reloader): void {
  process.on("SIGHUP", () => void reloader.reload("signal"));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
