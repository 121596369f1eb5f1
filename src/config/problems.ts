import type { z } from "zod";

import { MISSING } from "./leaves.js";
import { formatPath, shapeOf } from "./path.js";
import type { KeyPath } from "./path.js";
import { KNOWN_KEYS } from "./schema.js";
import type { SourceTree } from "./source.js";
import { REDACTED } from "../secret.js";

/** One thing wrong with a configuration file, where it is, and what was found there. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based line of the offending node. */
  readonly line: number;
  /** 1-based column of the offending node. */
  readonly col: number;
  /** Dotted key path such as `accounts[0].numbers[1]`, or `(root)`. */
  readonly path: string;
  readonly message: string;
  /** The offending value, short; `<secret>` for tokens. */
  readonly got?: string;
}

/**
 * Writes a problem as `file:line:col: key.path: message (got …)`, the `(got …)` part
 * only when the value is known.
 */
export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.col}: ${p.path}: ${p.message}`;
  return p.got === undefined ? where : `${where} (got ${p.got})`;
}

/** A problem not yet placed in the file: a key path and what is wrong there. */
export interface Issue {
  readonly path: KeyPath;
  readonly message: string;
  /** The problem is the key itself (unknown or badly named), not its value. */
  readonly atKey?: boolean;
  /** The message says all there is; the value found is not shown as `got`. */
  readonly quiet?: boolean;
}

/** Turns schema issues into `Issue`s, one per unknown key, with a hint for typos. */
export function fromZod(issues: readonly z.core.$ZodIssue[]): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: [...issue.path, key] as KeyPath,
        message: unknownKeyMessage(key, KNOWN_KEYS.get(shapeOf(issue.path as KeyPath))),
        atKey: true,
      }));
    }
    const atKey = issue.code === "custom" && issue.params?.["at"] === "key";
    // "must list at least one" needs no "(got a list)"; a quiet check hides the value.
    const quiet =
      (issue.code === "too_small" && issue.origin === "array") ||
      (issue.code === "custom" && issue.params?.["quiet"] === true);
    return [{ path: issue.path as KeyPath, message: issue.message, atKey, quiet }];
  });
}

function unknownKeyMessage(key: string, known: readonly string[] | undefined): string {
  if (known === undefined) return `unknown key "${key}"`;

  const nearest = nearestKey(key, known);
  if (nearest !== undefined) return `unknown key "${key}"; did you mean "${nearest}"?`;
  return `unknown key "${key}"; expected one of ${known.join(", ")}`;
}

/** The known key within a small edit distance of `key`, if any. */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        substitution,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Places an issue in the file: at the deepest part of its path that exists (the key
 * for key problems, else the value), or at the mapping that lacks a missing key.
 * Issues on a value whose `${VAR}` could not be expanded are dropped: that is
 * reported already.
 */
export function locate(
  issue: Issue,
  tree: SourceTree,
  file: string,
): ConfigProblem | undefined {
  if (issue.message === MISSING) return locateMissing(issue.path, tree, file);

  let path = issue.path;
  while (path.length > 0 && !tree.spots.has(formatPath(path))) path = path.slice(0, -1);
  const key = formatPath(path);
  if (tree.unexpanded.has(key)) return undefined;

  const spot = tree.spots.get(key);
  const at = (issue.atKey ? spot?.key : undefined) ?? spot?.value ?? { line: 1, col: 1 };
  const got =
    issue.atKey || issue.quiet
      ? undefined
      : describeValue(path, valueAt(tree.value, path));
  return { file, line: at.line, col: at.col, path: key, message: issue.message, got };
}

function locateMissing(path: KeyPath, tree: SourceTree, file: string): ConfigProblem {
  const present = tree.spots.get(formatPath(path));
  if (present !== undefined) {
    const at = present.value;
    return { file, ...at, path: formatPath(path), message: "must not be empty" };
  }

  const parent = path.slice(0, -1);
  const at = tree.spots.get(formatPath(parent))?.value ?? { line: 1, col: 1 };
  const message = `missing required key "${String(path[path.length - 1])}"`;
  return { file, ...at, path: formatPath(parent), message };
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = Object.hasOwn(value, segment)
      ? (value as Record<string, unknown>)[segment]
      : undefined;
  }
  return value;
}

const MAX_GOT = 60;

/** A short description of a found value; never a token. */
function describeValue(path: KeyPath, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (path.includes("auth_token")) return REDACTED;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "a mapping";

  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > MAX_GOT ? `${text.slice(0, MAX_GOT - 1)}…` : text;
}
