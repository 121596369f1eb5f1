import { formatProblem, loadConfig } from "../config/load.js";
import type { ExporterConfig } from "../config/types.js";
import { unknownStatuses } from "../discover/status-history.js";
import { KNOWN_STATUSES } from "../metrics/names.js";
import { createLogger, type LogLevel } from "../log.js";
import { reloadOnHangup } from "../reloader.js";
import { startExporter, stopOnSignals } from "./run-exporter.js";
import { readWebConfigFlag } from "./web-config-flag.js";

export interface ServeFlags {
  readonly configFile: string;
  readonly configCheck: boolean;
  readonly listenAddress?: string;
  /** `--web.config.file`: TLS and basic auth. */
  readonly webConfigFile?: string;
  readonly logLevel: LogLevel;
}

/**
 * The default command: load the configuration, then serve it (or, with
 * `--config.check`, only report on it). Resolves to the process exit code when it
 * does not keep running.
 */
export async function serve(flags: ServeFlags): Promise<number | undefined> {
  const loaded = await loadConfig(flags.configFile);
  if (!loaded.ok) {
    for (const problem of loaded.problems)
      process.stderr.write(`${formatProblem(problem)}\n`);
    const outcome = flags.configCheck
      ? "configuration is invalid"
      : "the exporter did not start";
    process.stderr.write(
      `${flags.configFile}: ${loaded.problems.length} problem(s); ${outcome}\n`,
    );
    return 1;
  }
  const web = await readWebConfigFlag(flags.webConfigFile);
  if (web === false) return 1;
  if (flags.configCheck) {
    for (const warning of configWarnings(loaded.config)) {
      process.stderr.write(`${flags.configFile}: warning: ${warning}\n`);
    }
    process.stdout.write(`${flags.configFile}: configuration is valid\n`);
    return 0;
  }

  const logger = createLogger(flags.logLevel);
  const running = await startExporter(loaded.config, logger, flags.listenAddress, {
    ...web,
    load: () => loadConfig(flags.configFile),
  });
  stopOnSignals(logger, running.stop);
  reloadOnHangup(running.reloader);
  return undefined;
}

/**
 * What is valid but probably a mistake, as the exporter would log it at start: a
 * discovery status Vobiz does not document matches no number, so a typo there keeps
 * none of the account's numbers.
 */
function configWarnings(config: ExporterConfig): string[] {
  const warnings: string[] = [];
  for (const [i, account] of config.accounts.entries()) {
    if (!account.discover.enabled) continue;
    for (const status of unknownStatuses(account.discover.statuses)) {
      warnings.push(
        `accounts[${i}].discover.statuses: "${status}" is not a status Vobiz documents ` +
          `(${KNOWN_STATUSES.join(", ")}); no number will match it`,
      );
    }
  }
  return warnings;
}
