/** The result of expanding `${VAR}` references in one string. */
export type Expansion =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly errors: readonly string[] };

const REFERENCE = /\$(?:\$|\{([^}]*)\}|\{)?/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces every `${VAR}` in `text` with the variable from `env`; `$$` stands for a
 * literal `$`, and a `$` followed by anything else is kept as it is. A variable that
 * is not set, or a malformed `${…}`, is an error naming it; an empty variable is set.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): Expansion {
  const errors: string[] = [];

  const value = text.replace(REFERENCE, (whole: string, name: string | undefined) => {
    if (whole === "$$") return "$";
    if (whole === "$") return "$";
    if (name === undefined || !VARIABLE_NAME.test(name)) {
      errors.push(
        `malformed reference "${whole}"; write \${NAME}, or $$ for a literal $`,
      );
      return whole;
    }
    const found = env[name];
    if (found === undefined) {
      errors.push(`environment variable "${name}" is not set`);
      return whole;
    }
    return found;
  });

  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}
