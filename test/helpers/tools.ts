import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The path of an external program on PATH (promtool, prometheus, amtool, chromium…),
 * or undefined so that its suites are skipped on a developer's machine without it.
 * Under CI (`CI` set) a missing program fails the run instead: there, `.ci/run`
 * installs every one and a skip would hide a broken install.
 */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  if (process.env.CI) {
    throw new Error(`${name} is not on PATH; .ci/run must install it`);
  }
  process.stderr.write(`${name} is not on PATH: its tests are skipped\n`);
  return undefined;
}
