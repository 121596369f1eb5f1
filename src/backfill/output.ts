import { once } from "node:events";
import { open, rename, rm, stat } from "node:fs/promises";

/**
 * The backfill file, written through `<path>.tmp` and renamed into place only when
 * committed, so that a failed or empty run never replaces a previous file.
 */
export interface Output {
  readonly path: string;
  /** Writes `lines` to the temporary file; resolves to how many were samples. */
  write(lines: Iterable<string>): Promise<number>;
  /** Renames the temporary file to `path`. */
  commit(): Promise<void>;
  /** Removes the temporary file, leaving `path` as it was. */
  discard(): Promise<void>;
}

/**
 * Opens `<path>.tmp` for writing, before any history is read, so that a bad `--out`
 * fails in a moment rather than after the whole read. Rejects with an error naming
 * `path` when it is a directory or its temporary file cannot be created.
 */
export async function openOutput(path: string): Promise<Output> {
  const temporary = `${path}.tmp`;
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new Error(`cannot write ${path}: it is a directory`);
  }
  const handle = await open(temporary, "w").catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot write ${path}: ${reason}`, { cause: error });
  });
  const out = handle.createWriteStream();

  const discard = async () => {
    out.destroy();
    await rm(temporary, { force: true });
  };
  return {
    path,
    write: async (lines) => {
      let samples = 0;
      try {
        for (const line of lines) {
          if (!line.startsWith("#")) samples += 1;
          if (!out.write(line)) await once(out, "drain");
        }
        out.end();
        await once(out, "finish");
      } catch (error) {
        await discard();
        throw error;
      }
      return samples;
    },
    commit: () => rename(temporary, path),
    discard,
  };
}
