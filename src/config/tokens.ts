import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import { tokenProblem } from "./formats.js";
import { formatPath } from "./path.js";
import type { Issue } from "./problems.js";

/** Tokens read from `auth_token_file`, by account index, and what went wrong. */
export interface TokenFiles {
  readonly tokens: ReadonlyMap<number, string>;
  readonly issues: readonly Issue[];
}

/**
 * Reads every account's `auth_token_file` (relative paths from `baseDir`), dropping
 * trailing whitespace, and checks inline tokens are not empty. Works on the file as
 * written, so token problems show up together with all the others.
 */
export async function readTokenFiles(
  root: unknown,
  baseDir: string,
  unexpanded: ReadonlySet<string>,
): Promise<TokenFiles> {
  const accounts = (root as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(accounts)) return { tokens: new Map(), issues: [] };

  const tokens = new Map<number, string>();
  const issues: Issue[] = [];
  await Promise.all(
    accounts.map(async (account: unknown, index) => {
      const inline = (account as { auth_token?: unknown } | null)?.auth_token;
      if (inline === "") {
        issues.push({
          path: ["accounts", index, "auth_token"],
          message: "must not be empty",
        });
      }

      const path = ["accounts", index, "auth_token_file"];
      const file = (account as { auth_token_file?: unknown } | null)?.auth_token_file;
      if (typeof file !== "string" || file === "" || unexpanded.has(formatPath(path)))
        return;

      const read = await readToken(resolve(baseDir, file), file);
      if (typeof read === "string") tokens.set(index, read);
      else issues.push({ path, message: read.problem, quiet: true });
    }),
  );
  return { tokens, issues };
}

async function readToken(
  fullPath: string,
  shown: string,
): Promise<string | { problem: string }> {
  try {
    const token = (await readFile(fullPath, "utf8")).trimEnd();
    if (token === "") return { problem: `token file "${shown}" is empty` };
    const problem = tokenProblem(token);
    return problem === undefined ? token : { problem: `token in "${shown}" ${problem}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    return { problem: `cannot read token file "${shown}": ${code}` };
  }
}
