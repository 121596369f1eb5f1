import { validateHeaderValue } from "node:http";

import { z } from "zod";

import { Invalid, text } from "./leaves.js";

/** Labels the exporter sets itself; configured labels must not shadow them. */
export const RESERVED_LABELS: readonly string[] = [
  "account",
  "number",
  "owner",
  "status",
  "usage_status",
  "granularity",
  "reason",
  "code",
  "endpoint",
  "source",
];

/** The `params` of an issue about a mapping key rather than its value. */
export const AT_KEY = { at: "key" } as const;

const E164 = /^\+[1-9]\d{1,14}$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const AUTH_ID = /^[A-Za-z0-9_.-]+$/;

/** The hint for a phone number written without quotes, which YAML reads as an integer. */
export function unquotedNumber(value: number): string {
  return `write the number in quotes, as "+${value}"; unquoted, YAML reads it as an integer`;
}

/** A phone number in E.164 form: `+`, then 2 to 15 digits, the first not 0. */
export function e164(value: unknown): string | Invalid {
  if (typeof value === "number") return new Invalid(unquotedNumber(value));
  const number = text(value);
  if (number instanceof Invalid || E164.test(number)) return number;
  return new Invalid('not an E.164 number: "+" then 2 to 15 digits, the first not 0');
}

/** A Vobiz auth ID: it goes into request paths, so only `A-Z a-z 0-9 _ . -`. */
export function authId(value: unknown): string | Invalid {
  const id = text(value);
  if (id instanceof Invalid) return id;
  if (id === "") return new Invalid("must not be empty");
  if (!AUTH_ID.test(id)) return new Invalid("may hold only letters, digits, _, . and -");
  return id;
}

/**
 * Why a token cannot be sent in the `X-Auth-Token` header, or undefined when it can:
 * Node's own header check, so that the token is refused here rather than failing every
 * request later as a network error.
 */
export function tokenProblem(token: string): string | undefined {
  try {
    validateHeaderValue("x-auth-token", token);
    return undefined;
  } catch {
    return (
      "holds a line break, another control character or a character beyond Latin-1, " +
      "which no HTTP header can carry"
    );
  }
}

/** An auth token as written inline: a string that fits in a header; never shown. */
export function authToken(value: unknown): string | Invalid {
  const token = text(value);
  if (token instanceof Invalid) return token;
  const problem = tokenProblem(token);
  return problem === undefined ? token : new Invalid(problem, true);
}

/** An `http` or `https` URL, returned without trailing slashes. */
export function httpUrl(value: unknown): string | Invalid {
  const raw = text(value);
  if (raw instanceof Invalid) return raw;

  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return new Invalid("must be an http or https URL");
  }
  if (url.search !== "" || url.hash !== "") {
    return new Invalid("must not have a query or fragment");
  }
  // A user or password in the URL would be shown on /config and in logs; Vobiz's
  // credentials belong in auth_id and auth_token.
  if (url.username !== "" || url.password !== "") {
    return new Invalid(
      "must not hold a user or password (not shown here); use auth_id and auth_token",
      true,
    );
  }
  return raw.replace(/\/+$/, "");
}

/** A listen address split into host (undefined: every interface) and port. */
export interface ListenAddress {
  readonly host?: string;
  readonly port: number;
}

const LISTEN_ADDRESS = /^(?:\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]|([^:[\]\s]*)):(\d{1,5})$/;

/**
 * `host:port`, `:port` or `[v6]:port` split, the port from 0 (any free port) to 65535;
 * undefined when the address is not of that form.
 */
export function splitListenAddress(address: string): ListenAddress | undefined {
  const match = LISTEN_ADDRESS.exec(address);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) return undefined;
  const host = match[1] ?? (match[2] || undefined);
  return host === undefined ? { port } : { host, port };
}

/** `listen_address`: as {@link splitListenAddress} reads it, the port from 1. */
export function listenAddress(value: unknown): string | Invalid {
  const address = text(value);
  if (address instanceof Invalid) return address;

  const split = splitListenAddress(address);
  if (split === undefined || split.port < 1) {
    return new Invalid(
      'must be "host:port", ":port" or "[IPv6 address]:port", with a port from 1 to 65535',
    );
  }
  return address;
}

/** Why a label name is refused, or `undefined` when it is fine. */
function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME.test(name)) {
    return (
      `label name "${name}" is not valid; ` +
      "use letters, digits and _, not starting with a digit"
    );
  }
  if (name.startsWith("__")) {
    return `label name "${name}" starts with "__", which Prometheus reserves for itself`;
  }
  if (RESERVED_LABELS.includes(name)) {
    return `label "${name}" clashes with a label the exporter sets; rename it`;
  }
  return undefined;
}

/**
 * A mapping of extra label names to string values. Values must be strings in the
 * file: a YAML number or boolean is refused rather than silently converted.
 */
export const labels = z.unknown().transform((value, ctx): Record<string, string> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: "custom",
      message: "expected a mapping of label names to values",
      input: value,
    });
    return z.NEVER;
  }

  const result: Record<string, string> = {};
  for (const [name, labelValue] of Object.entries(value)) {
    const nameProblem = labelNameProblem(name);
    if (nameProblem !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: nameProblem,
        params: AT_KEY,
      });
    }
    if (typeof labelValue !== "string") {
      const message = "label value must be a string; put it in quotes";
      ctx.addIssue({ code: "custom", path: [name], message });
    } else if (nameProblem === undefined) {
      result[name] = labelValue;
    }
  }
  return result;
});
