import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, YAMLError } from "yaml";

import { expandEnv } from "./expand.js";
import { formatPath } from "./path.js";
import { yamlSyntaxMessage } from "./yaml-error.js";
import type { KeyPath } from "./path.js";

/** A 1-based line and column in the configuration file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Where the key and the value of one key path start; list items have no key. */
export interface Spot {
  readonly key?: Position;
  readonly value: Position;
}

/** A problem found while reading the YAML itself, before any schema applies. */
export interface SourceIssue {
  readonly path: KeyPath;
  readonly at: Position;
  readonly message: string;
}

/** The file as plain data, with the positions needed to report on it. */
export interface SourceTree {
  /** Plain data with `${VAR}` expanded; a mapping key with an empty value is left out. */
  readonly value: unknown;
  /** Key and value positions, by `formatPath`. */
  readonly spots: ReadonlyMap<string, Spot>;
  /** Paths (by `formatPath`) whose value could not be expanded, so no other check applies. */
  readonly unexpanded: ReadonlySet<string>;
  readonly issues: readonly SourceIssue[];
  /** False when the YAML did not parse; `value` is then `null`. */
  readonly parsed: boolean;
}

// Aliases may nest; this bounds the work a hostile or mistaken file can cause.
const MAX_ALIASES = 1000;
const MAX_DEPTH = 64;
const MAX_SYNTAX_ERRORS = 5;

interface WalkState {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly env: NodeJS.ProcessEnv;
  readonly spots: Map<string, Spot>;
  readonly unexpanded: Set<string>;
  readonly issues: SourceIssue[];
  aliases: number;
}

/**
 * Parses YAML text into plain data, expanding `${VAR}` in every string value and
 * recording where each key path sits. Syntax errors come back as issues, all of them.
 */
export function readSource(text: string, env: NodeJS.ProcessEnv): SourceTree {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });

  if (doc.errors.length > 0) {
    const issues = syntaxIssues(doc.errors, text, lines);
    return {
      value: null,
      spots: new Map(),
      unexpanded: new Set(),
      issues,
      parsed: false,
    };
  }

  const state: WalkState = {
    doc,
    lines,
    env,
    spots: new Map(),
    unexpanded: new Set(),
    issues: [],
    aliases: 0,
  };
  state.spots.set(formatPath([]), { value: positionOf(doc.contents, lines) });
  const value = walk(doc.contents, [], state);
  const { spots, unexpanded, issues } = state;
  return { value, spots, unexpanded, issues, parsed: true };
}

/**
 * The first few YAML errors: after a real mistake the parser often reports a cascade
 * of follow-on errors that only bury the first one.
 */
function syntaxIssues(
  errors: readonly YAMLError[],
  text: string,
  lines: LineCounter,
): SourceIssue[] {
  const shown = errors.slice(0, MAX_SYNTAX_ERRORS).map((error) => {
    const at = lines.linePos(error.pos[0]);
    return { path: [], at, message: syntaxMessage(error, text) };
  });
  const rest = errors[MAX_SYNTAX_ERRORS];
  if (rest === undefined) return shown;

  const more = errors.length - MAX_SYNTAX_ERRORS;
  const message = `${more} more YAML error(s) not shown; they often follow from the ones above`;
  return [...shown, { path: [], at: lines.linePos(rest.pos[0]), message }];
}

function syntaxMessage(error: YAMLError, text: string): string {
  if (error.code === "DUPLICATE_KEY") {
    return "duplicate key; a key may appear only once in a mapping";
  }
  if (error.code === "MULTIPLE_DOCS") {
    return "the file holds more than one YAML document; keep one";
  }
  // `{ key: ${VAR} }`: in flow style the `{` of `${` opens a mapping.
  const [start] = error.pos;
  if (text[start - 1] === "$" && text[start] === "{") {
    return 'YAML syntax error: inside {…} or […], write ${VAR} in quotes, as "${VAR}"';
  }
  return yamlSyntaxMessage(error);
}

function walk(node: unknown, path: KeyPath, state: WalkState): unknown {
  if (path.length > MAX_DEPTH) {
    const at = positionOf(node, state.lines);
    state.issues.push({ path, at, message: "nested too deeply" });
    return null;
  }

  if (isAlias(node)) {
    state.aliases += 1;
    if (state.aliases <= MAX_ALIASES) return walk(node.resolve(state.doc), path, state);
    if (state.aliases === MAX_ALIASES + 1) {
      const at = positionOf(node, state.lines);
      state.issues.push({ path, at, message: `more than ${MAX_ALIASES} aliases` });
    }
    return null;
  }
  if (isMap(node)) return walkMap(node.items, path, state);
  if (isSeq(node)) {
    return node.items.map((item, index) => {
      const itemPath = [...path, index];
      state.spots.set(formatPath(itemPath), { value: positionOf(item, state.lines) });
      return walk(item, itemPath, state) ?? null;
    });
  }
  if (isScalar(node)) {
    return typeof node.value === "string"
      ? expand(node.value, node, path, state)
      : node.value;
  }
  return null;
}

function walkMap(
  pairs: readonly { key: unknown; value: unknown }[],
  path: KeyPath,
  state: WalkState,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};

  for (const pair of pairs) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const childPath = [...path, key];
    const keyAt = positionOf(pair.key, state.lines);
    const valueAt = isEmpty(pair.value) ? keyAt : positionOf(pair.value, state.lines);
    state.spots.set(formatPath(childPath), { key: keyAt, value: valueAt });

    const value = walk(pair.value, childPath, state);
    // Defined as a property so that a key such as `__proto__` stays plain data.
    if (value !== null && value !== undefined) {
      Object.defineProperty(result, key, { value, enumerable: true, writable: true });
    }
  }
  return result;
}

function expand(text: string, node: unknown, path: KeyPath, state: WalkState): string {
  const expansion = expandEnv(text, state.env);
  if (expansion.ok) return expansion.value;

  const at = positionOf(node, state.lines);
  for (const message of expansion.errors) state.issues.push({ path, at, message });
  state.unexpanded.add(formatPath(path));
  return text;
}

function isEmpty(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  const range = (node as { range?: readonly number[] }).range;
  return isScalar(node) && node.value === null && (range?.[0] ?? 0) === (range?.[1] ?? 0);
}

function positionOf(node: unknown, lines: LineCounter): Position {
  const range = (node as { range?: readonly number[] } | null)?.range;
  return lines.linePos(range?.[0] ?? 0);
}
