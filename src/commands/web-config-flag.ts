import { formatProblem } from "../config/load.js";
import { loadWebConfig, type WebConfig } from "../http/web-config.js";

/**
 * Loads `--web.config.file` when given. A bad file is reported on standard error,
 * every problem, and comes back as `false`: the exporter must not start without the
 * TLS or authentication the operator asked for.
 */
export async function readWebConfigFlag(
  file: string | undefined,
): Promise<{ web?: WebConfig } | false> {
  if (file === undefined) return {};

  const loaded = await loadWebConfig(file);
  if (loaded.ok) return { web: loaded.config };

  for (const problem of loaded.problems) {
    process.stderr.write(`${formatProblem(problem)}\n`);
  }
  const count = loaded.problems.length;
  process.stderr.write(
    `${file}: ${count} problem(s) in the web configuration; the exporter did not start\n`,
  );
  return false;
}
