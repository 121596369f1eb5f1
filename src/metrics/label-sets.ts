import type { Labels } from "../config/types.js";
import { escapeLabelValue, formatLabelPairs } from "./text-format.js";

const prefixes = new WeakMap<Labels, string>();

/**
 * The text of a number's label set up to its closing brace, `{account="demo",…`, or ""
 * when it has no labels. Kept per label-set object, which lives as long as its number
 * is monitored, so each number's labels are escaped and joined once, not once per
 * series and scrape.
 */
export function labelPrefix(labels: Labels): string {
  let prefix = prefixes.get(labels);
  if (prefix === undefined) {
    const pairs = formatLabelPairs(labels);
    prefix = pairs === "" ? "" : `{${pairs}`;
    prefixes.set(labels, prefix);
  }
  return prefix;
}

/** What follows a {@link labelPrefix} when the series has no label of its own. */
export function closeLabels(prefix: string): string {
  return prefix === "" ? " " : "} ";
}

// Values come from closed sets (reasons, known states, granularities) plus whatever
// state Vobiz sends undocumented; the cap keeps a misbehaving upstream from growing it.
const MAX_VALUES = 100;
const suffixes = { ",": new Map(), "{": new Map() } as const satisfies Record<
  string,
  Map<string, Map<string, string>>
>;

/**
 * What follows a {@link labelPrefix} for a series with one more label: `,name="value"} `
 * (or `{name="value"} ` after an empty prefix), up to the sample value. The exporter's
 * own label names are reserved, so the extra label never repeats one of the number's.
 */
export function extraLabel(prefix: string, name: string, value: string): string {
  const open = prefix === "" ? "{" : ",";
  let byValue = suffixes[open].get(name);
  if (byValue === undefined) {
    byValue = new Map();
    suffixes[open].set(name, byValue);
  }
  let suffix = byValue.get(value);
  if (suffix === undefined) {
    suffix = `${open}${name}="${escapeLabelValue(value)}"} `;
    if (byValue.size < MAX_VALUES) byValue.set(value, suffix);
  }
  return suffix;
}

const extended = new WeakMap<Labels, Map<string, Map<string, Labels>>>();

/**
 * `labels` with one more label, as the same object every time it is asked for (while
 * `labels` itself lives, which is as long as its number is monitored). prom-client keeps
 * the text of a series' `sharedLabels` per object, so a label set that stays the same
 * object across scrapes is formatted once, not once per series and scrape.
 */
export function withLabel(labels: Labels, name: string, value: string): Labels {
  let byName = extended.get(labels);
  if (byName === undefined) {
    byName = new Map();
    extended.set(labels, byName);
  }
  let byValue = byName.get(name);
  if (byValue === undefined) {
    byValue = new Map();
    byName.set(name, byValue);
  }
  let made = byValue.get(value);
  if (made === undefined) {
    made = Object.freeze({ ...labels, [name]: value });
    byValue.set(value, made);
  }
  return made;
}
