import { readFileSync } from "node:fs";

import { parse } from "yaml";

/** One alerting rule of prometheus/alerts.yml. */
export interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** prometheus/alerts.yml as parsed. */
export interface RulesFile {
  groups: { name: string; rules: Rule[] }[];
}

const ALERTS = new URL("../../prometheus/alerts.yml", import.meta.url);

/** The shipped alert rules, parsed afresh so callers may change their copy. */
export function readRulesFile(): RulesFile {
  return parse(readFileSync(ALERTS, "utf8")) as RulesFile;
}

/** Every alerting rule of every group, in file order. */
export function readRules(): Rule[] {
  return readRulesFile().groups.flatMap((g) => g.rules);
}
