import { readFile } from "node:fs/promises";
import { dirname } from "node:path";

import { REDACTED, Secret } from "../secret.js";
import { formatPath } from "./path.js";
import { fromZod, locate } from "./problems.js";
import type { ConfigProblem, Issue } from "./problems.js";
import { checkAccounts } from "./rules.js";
import { configSchema } from "./schema.js";
import type { ParsedConfig } from "./schema.js";
import { readSource } from "./source.js";
import type { SourceTree } from "./source.js";
import { readTokenFiles } from "./tokens.js";
import type { ExporterConfig } from "./types.js";

export { formatProblem } from "./problems.js";
export type { ConfigProblem } from "./problems.js";

/** A valid configuration, or every problem found in the file. */
export type LoadResult =
  { ok: true; config: ExporterConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Reads, parses, expands `${VAR}`, reads token files (relative paths from the
 * configuration file's folder) and validates. Never throws for bad input.
 */
export async function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    const message = `cannot read the configuration file: ${code}`;
    return { ok: false, problems: [{ file, line: 1, col: 1, path: "(root)", message }] };
  }
  return check(text, file, env, dirname(file));
}

/**
 * The same as `loadConfig` for text already in memory: `fileName` is used in
 * problems, and token files are read relative to the process's working directory.
 */
export async function parseConfig(
  text: string,
  fileName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadResult> {
  return check(text, fileName, env, process.cwd());
}

async function check(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  baseDir: string,
): Promise<LoadResult> {
  const tree = readSource(text, env);
  const sourceProblems = tree.issues.map((issue) => ({
    file,
    ...issue.at,
    path: formatPath(issue.path),
    message: issue.message,
  }));
  if (!tree.parsed) return { ok: false, problems: sourceProblems };
  if (tree.value === null) {
    const message = "the file is empty; it needs at least an accounts list";
    return { ok: false, problems: [{ file, line: 1, col: 1, path: "(root)", message }] };
  }

  const parsed = configSchema.safeParse(tree.value);
  const tokenFiles = await readTokenFiles(tree.value, baseDir, tree.unexpanded);
  const issues: Issue[] = [
    ...(parsed.success ? [] : fromZod(parsed.error.issues)),
    ...checkAccounts(tree.value),
    ...tokenFiles.issues,
  ];
  const problems = [...sourceProblems, ...place(issues, tree, file)].sort(
    (a, b) => a.line - b.line || a.col - b.col,
  );

  if (!parsed.success || problems.length > 0) {
    return { ok: false, problems: hideTokens(problems, tree, tokenFiles.tokens) };
  }
  return { ok: true, config: withTokens(parsed.data, tokenFiles.tokens) };
}

function place(
  issues: readonly Issue[],
  tree: SourceTree,
  file: string,
): ConfigProblem[] {
  const seen = new Set<string>();
  return issues
    .flatMap((issue) => locate(issue, tree, file) ?? [])
    .filter((problem) => {
      const key = `${problem.line}:${problem.col}:${problem.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

// Shortest token worth searching for: shorter ones would garble ordinary words.
const MIN_HIDDEN_LENGTH = 4;

/**
 * Replaces any token that found its way into a message with `<secret>`. Problems
 * never quote a token on purpose; this guards against one slipping in by accident.
 */
function hideTokens(
  problems: readonly ConfigProblem[],
  tree: SourceTree,
  files: ReadonlyMap<number, string>,
): ConfigProblem[] {
  const accounts = (tree.value as { accounts?: unknown }).accounts;
  const inline = Array.isArray(accounts)
    ? accounts.map((account) => (account as { auth_token?: unknown } | null)?.auth_token)
    : [];
  const tokens = [...inline, ...files.values()].filter(
    (token): token is string =>
      typeof token === "string" && token.length >= MIN_HIDDEN_LENGTH,
  );

  const hide = (text: string): string =>
    tokens.reduce((result, token) => result.replaceAll(token, REDACTED), text);
  return problems.map((problem) => ({
    ...problem,
    message: hide(problem.message),
    ...(problem.got === undefined ? {} : { got: hide(problem.got) }),
  }));
}

function withTokens(
  parsed: ParsedConfig,
  files: ReadonlyMap<number, string>,
): ExporterConfig {
  const accounts = parsed.accounts.map(
    ({ authToken, authTokenFile: _, ...account }, i) => ({
      ...account,
      authToken: new Secret(authToken ?? files.get(i) ?? ""),
    }),
  );
  return { ...parsed, accounts };
}
