import { stringify } from "yaml";

import { REDACTED, Secret } from "../secret.js";
import type { ExporterConfig } from "./types.js";

// Keys whose value is a credential even if it somehow arrived as a plain string.
const SECRET_KEY = /token|password|secret/i;

/**
 * The running configuration as YAML in the shape of `exporter.yml`: snake_case keys,
 * defaults filled in, durations and sizes written as in the file, and every secret as
 * `<secret>`. Written generically, so a new setting shows up without a change here.
 */
export function configYaml(config: ExporterConfig): string {
  return stringify(toFileShape(config, ""), { lineWidth: 0 });
}

function toFileShape(value: unknown, key: string): unknown {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === "string" && SECRET_KEY.test(key)) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => toFileShape(item, key));
  if (typeof value !== "object" || value === null) return value;

  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    const [fileKey, fileValue] = fileEntry(name, inner);
    out[fileKey] = toFileShape(fileValue, fileKey);
  }
  return out;
}

/** One typed entry as the file writes it: `timeoutMs: 10000` is `timeout: 10s`. */
function fileEntry(name: string, value: unknown): [string, unknown] {
  if (name.endsWith("Ms") && typeof value === "number") {
    return [snakeCase(name.slice(0, -2)), formatDuration(value)];
  }
  if (name.endsWith("Bytes") && typeof value === "number") {
    return [snakeCase(name), formatBytes(value)];
  }
  return [snakeCase(name), value];
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

/** Milliseconds as a Prometheus duration: `90000` is `1m30s`, `0` is `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let text = "";
  for (const [unit, size] of DURATION_UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}

const IEC_UNITS: readonly (readonly [string, number])[] = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
];

/** Bytes in the largest IEC unit that divides them exactly, else as a plain number. */
export function formatBytes(bytes: number): string | number {
  const unit = IEC_UNITS.find(([, size]) => bytes % size === 0);
  return unit === undefined ? bytes : `${bytes / unit[1]}${unit[0]}`;
}
