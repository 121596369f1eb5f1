import type { Labels } from "../config/types.js";

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
