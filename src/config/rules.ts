import { formatPath } from "./path.js";
import type { Issue } from "./problems.js";

type Raw = Record<string, unknown>;

function isMapping(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function accountsOf(root: unknown): Raw[] {
  const accounts = isMapping(root) ? root["accounts"] : undefined;
  return Array.isArray(accounts) ? accounts.map((a) => (isMapping(a) ? a : {})) : [];
}

/**
 * Checks that span several keys, on the file as written so that they are reported
 * even when other values are wrong: one token source per account, unique account
 * names, no number twice in an account, and numbers unless discovery is on.
 */
export function checkAccounts(root: unknown): Issue[] {
  const issues: Issue[] = [];
  const names = new Map<string, number>();

  accountsOf(root).forEach((account, index) => {
    const path = ["accounts", index];
    issues.push(...checkTokenSource(account, path));
    issues.push(...checkNumbers(account, path));

    const name = account["name"] ?? account["auth_id"];
    if (typeof name !== "string") return;
    const first = names.get(name);
    if (first === undefined) names.set(name, index);
    else {
      const where = account["name"] === undefined ? "auth_id" : "name";
      const also = formatPath(["accounts", first]);
      const message =
        `duplicate account name "${name}", also used by ${also} ` +
        "(name defaults to auth_id)";
      issues.push({ path: [...path, where], message, quiet: true });
    }
  });
  return issues;
}

function checkTokenSource(account: Raw, path: (string | number)[]): Issue[] {
  const inline = account["auth_token"] !== undefined;
  const file = account["auth_token_file"] !== undefined;
  if (inline && file) {
    const message = "set auth_token or auth_token_file, not both";
    return [{ path: [...path, "auth_token_file"], message, atKey: true }];
  }
  if (!inline && !file) {
    return [{ path, message: "needs auth_token or auth_token_file", quiet: true }];
  }
  return [];
}

function checkNumbers(account: Raw, path: (string | number)[]): Issue[] {
  const numbers = Array.isArray(account["numbers"]) ? account["numbers"] : [];
  const discover = isMapping(account["discover"])
    ? account["discover"]["enabled"]
    : false;
  if (numbers.length === 0 && discover !== true && discover !== "true") {
    const message =
      "lists no numbers; add some under numbers, or set discover.enabled: true";
    const at = account["numbers"] === undefined ? path : [...path, "numbers"];
    return [{ path: at, message, quiet: true }];
  }

  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  numbers.forEach((entry: unknown, index) => {
    const number = isMapping(entry) ? entry["number"] : entry;
    if (typeof number !== "string") return;
    const first = seen.get(number);
    if (first === undefined) seen.set(number, index);
    else {
      const also = formatPath([...path, "numbers", first]);
      const at = [...path, "numbers", index, ...(isMapping(entry) ? ["number"] : [])];
      issues.push({ path: at, message: `duplicate number; also at ${also}` });
    }
  });
  return issues;
}
