import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";

import { Command, InvalidArgumentError, Option } from "commander";

import { backfillLines, type NumberHistory } from "../backfill/openmetrics.js";
import {
  backfillTargets,
  readHistories,
  type BackfillFailure,
} from "../backfill/read.js";
import { formatProblem, loadConfig } from "../config/load.js";
import type { ExporterConfig, Granularity } from "../config/types.js";
import { VobizClient } from "../vobiz/client.js";

export interface BackfillFlags {
  readonly configFile: string;
  /** Days of history to read, as the health endpoint's `days`. */
  readonly days: number;
  /** Snapshot size; default the configuration's `health.granularity`. */
  readonly granularity?: Granularity;
  /** The OpenMetrics file to write. */
  readonly out: string;
}

const PROGRESS_EVERY_MS = 1_000;

/** The `backfill` subcommand, for `buildCli`; `onExit` receives the exit code. */
export function backfillCommand(onExit: (code: number) => void): Command {
  return new Command("backfill")
    .description("write the numbers' snapshot history as OpenMetrics for promtool")
    .requiredOption("--days <count>", "days of history to read", positiveInteger)
    .addOption(
      new Option(
        "--granularity <size>",
        "snapshot size (default: health.granularity)",
      ).choices(["daily", "hourly"]),
    )
    .requiredOption("--out <file>", "OpenMetrics file to write")
    .option("--config.file <path>", "configuration file", "exporter.yml")
    .action(async (opts: Record<string, unknown>) => {
      onExit(
        await backfill({
          configFile: opts["config.file"] as string,
          days: opts["days"] as number,
          granularity: opts["granularity"] as Granularity | undefined,
          out: opts["out"] as string,
        }),
      );
    });
}

function positiveInteger(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidArgumentError("expected a whole number of 1 or more");
  }
  return count;
}

/**
 * `vobiz-exporter backfill`: reads every configured and discovered number's snapshot
 * history and writes it as OpenMetrics text for `promtool tsdb create-blocks-from
 * openmetrics`. Progress and failures go to standard error. Resolves to the exit
 * code: 1 when the configuration is invalid or any account or number failed (the file
 * then holds the others).
 */
export async function backfill(
  flags: BackfillFlags,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const loaded = await loadConfig(flags.configFile);
  if (!loaded.ok) {
    for (const problem of loaded.problems) stderr.write(`${formatProblem(problem)}\n`);
    return 1;
  }
  const { config } = loaded;
  const granularity = flags.granularity ?? config.health.granularity;
  const client = new VobizClient({
    baseUrl: config.api.baseUrl,
    maxResponseBytes: config.api.maxResponseBytes,
  });

  try {
    const failures: BackfillFailure[] = [];
    const histories = await readAll(config, client, flags.days, granularity, {
      stderr,
      failures,
    });
    const samples = await writeAtomically(
      flags.out,
      backfillLines(histories, {
        granularity,
        answerRateUnit: config.health.answerRateUnit,
        nowMs: Date.now(),
      }),
    );
    stderr.write(
      `backfill: wrote ${samples} samples of ${histories.length} numbers to ${flags.out}\n`,
    );
    if (failures.length === 0) return 0;
    stderr.write(`backfill: ${failures.length} failure(s); the file holds the rest\n`);
    return 1;
  } finally {
    await client.close();
  }
}

async function readAll(
  config: ExporterConfig,
  client: VobizClient,
  days: number,
  granularity: Granularity,
  report: { stderr: NodeJS.WritableStream; failures: BackfillFailure[] },
): Promise<NumberHistory[]> {
  const { stderr, failures } = report;
  let lastProgress = Date.now();
  const hooks = {
    onFailure: (failure: BackfillFailure) => {
      failures.push(failure);
      const what = failure.number ?? "number list";
      const { reason, message } = failure.error;
      stderr.write(`backfill: ${failure.account} ${what}: ${reason}: ${message}\n`);
    },
    onProgress: (done: number, total: number) => {
      if (done < total && Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = Date.now();
      stderr.write(`backfill: read ${done}/${total} numbers\n`);
    },
  };

  const targets = await backfillTargets(config, client, hooks);
  stderr.write(
    `backfill: reading ${days} days ${granularity} of ${targets.length} numbers\n`,
  );
  return readHistories(config, client, targets, { granularity, days }, hooks);
}

/** Writes `lines` to `path` through a temporary file; resolves to the sample count. */
async function writeAtomically(path: string, lines: Iterable<string>): Promise<number> {
  const temporary = `${path}.tmp`;
  const out = createWriteStream(temporary);
  let samples = 0;
  try {
    for (const line of lines) {
      if (!line.startsWith("#")) samples += 1;
      if (!out.write(line)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    await rename(temporary, path);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return samples;
}
