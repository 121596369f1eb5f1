import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const MODULE = new URL("../dist/heap-growth.js", import.meta.url).href;

/**
 * The factor V8 applies to the old generation's limit at a full collection, read from
 * its own trace in a Node.js process given `nodeArgs`.
 */
async function growingFactor(nodeArgs: string[]): Promise<string | undefined> {
  const script = [
    `const { limitHeapGrowth } = await import(${JSON.stringify(MODULE)});`,
    "limitHeapGrowth(process.execArgv);",
    "globalThis.gc();",
  ].join("\n");
  const { stdout } = await run(process.execPath, [
    "--expose-gc",
    "--trace-gc-verbose",
    ...nodeArgs,
    "--input-type=module",
    "--eval",
    script,
  ]);
  return /\[HeapController\] Limit: .*\((\d+\.\d+)\)/.exec(stdout)?.[1];
}

describe("heap growth", () => {
  test("V8 grows the old generation by at most half its live size", async () => {
    expect(await growingFactor([])).toBe("1.5");
  });

  test("a --heap-growing-percent given to Node.js is kept", async () => {
    expect(await growingFactor(["--heap-growing-percent=30"])).toBe("1.3");
  });
});
