import { formatProblem, loadConfig } from "../config/load.js";
import { createLogger, type LogLevel } from "../log.js";
import { startExporter, stopOnSignals } from "./run-exporter.js";

export interface ServeFlags {
  readonly configFile: string;
  readonly configCheck: boolean;
  readonly listenAddress?: string;
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
    process.stderr.write(
      `${flags.configFile}: ${loaded.problems.length} problem(s); the exporter did not start\n`,
    );
    return 1;
  }
  if (flags.configCheck) {
    process.stdout.write(`${flags.configFile}: configuration is valid\n`);
    return 0;
  }

  const logger = createLogger(flags.logLevel);
  const running = await startExporter(loaded.config, logger, flags.listenAddress);
  stopOnSignals(logger, running.stop);
  return undefined;
}
