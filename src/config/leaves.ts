import { z } from "zod";

import { parseBytes, parseDuration } from "./duration.js";

/**
 * Marks a value a check refused, with the message to show for it. A `quiet` refusal
 * does not show the value, for values that may hold a credential.
 */
export class Invalid {
  constructor(
    readonly message: string,
    readonly quiet = false,
  ) {}
}

/** The message of every issue raised because a required key or section is absent. */
export const MISSING = "missing";

/**
 * A schema for one scalar field: `check` turns the YAML value into its typed form or
 * refuses it with an `Invalid`. An absent value is reported as a missing key, so
 * optional fields add `.prefault(…)` with their default.
 */
export function field<T>(check: (value: unknown) => T | Invalid) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: "custom", message: MISSING, input: value });
      return z.NEVER;
    }
    const result = check(value);
    if (result instanceof Invalid) {
      const params = result.quiet ? { quiet: true } : undefined;
      ctx.addIssue({ code: "custom", message: result.message, input: value, params });
      return z.NEVER;
    }
    return result;
  });
}

/** A string; a YAML number or boolean is refused with a hint to quote it. */
export function text(value: unknown): string | Invalid {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return new Invalid("expected a string; put the value in quotes");
  }
  return new Invalid("expected a string");
}

/** A string with at least one character. */
export function nonEmptyText(value: unknown): string | Invalid {
  const result = text(value);
  if (result === "") return new Invalid("must not be empty");
  return result;
}

/**
 * An integer from `min` to `max`. A string of digits is accepted too, so that a value
 * such as `${MAX_CONCURRENCY}` works.
 */
export function integer(min: number, max: number) {
  return (value: unknown): number | Invalid => {
    const number =
      typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number)) {
      return new Invalid(`expected an integer from ${min} to ${max}`);
    }
    if (number < min || number > max) return new Invalid(`must be from ${min} to ${max}`);
    return number;
  };
}

/** `true` or `false`, also as the strings `"true"` and `"false"` (for `${VAR}`). */
export function flag(value: unknown): boolean | Invalid {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  return new Invalid("must be true or false");
}

/** One of a fixed set of strings. */
export function choice<const T extends string>(values: readonly T[]) {
  return (value: unknown): T | Invalid => {
    const found = values.find((candidate) => candidate === value);
    return found ?? new Invalid(`must be one of ${values.join(", ")}`);
  };
}

/** A Prometheus duration in milliseconds; `0` (also unquoted) only when `allowZero`. */
export function duration(options: { readonly allowZero: boolean }) {
  return (value: unknown): number | Invalid => {
    const ms =
      value === 0 ? 0 : typeof value === "string" ? parseDuration(value) : undefined;
    if (ms === undefined) {
      return new Invalid(
        "not a duration; write a number and a unit, such as 500ms, 10s or 1h30m",
      );
    }
    if (ms === 0 && !options.allowZero) return new Invalid("must be longer than 0");
    return ms;
  };
}

/** A size in bytes, greater than 0: an integer, or a string such as `8MiB` or `100KB`. */
export function byteSize(value: unknown): number | Invalid {
  const bytes =
    typeof value === "number" && Number.isSafeInteger(value)
      ? value
      : typeof value === "string"
        ? parseBytes(value)
        : undefined;
  if (bytes === undefined) {
    return new Invalid(
      "not a size; write bytes, or a number and a unit such as 512KiB or 8MiB",
    );
  }
  if (bytes <= 0) return new Invalid("must be greater than 0");
  return bytes;
}
