/** A key path into the configuration: mapping keys and list indexes, outermost first. */
export type KeyPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Writes a key path the way problems show it: `accounts[0].numbers[1].number`, with
 * keys that are not plain words quoted (`labels["a.b"]`), and `(root)` for the
 * document itself.
 */
export function formatPath(path: KeyPath): string {
  if (path.length === 0) return "(root)";

  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** The same path with list indexes blanked (`accounts[].numbers[]`), to look up a schema. */
export function shapeOf(path: KeyPath): string {
  return path
    .map((segment, i) => {
      if (typeof segment === "number") return "[]";
      return i === 0 ? segment : `.${segment}`;
    })
    .join("");
}
