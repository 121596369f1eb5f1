import { formatProblem, loadConfig } from "../config/load.js";
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
