import { Command, InvalidArgumentError, Option } from "commander";

import { backfillLines, type NumberHistory } from "../backfill/openmetrics.js";
import { openOutput, type Output } from "../backfill/output.js";
import {
  backfillTargets,
  describeFailure,
  readHistories,
  type BackfillFailure,
} from "../backfill/read.js";
import { formatProblem, loadConfig } from "../config/load.js";
import type { ExporterConfig, Granularity } from "../config/types.js";
import { VobizClient } from "../vobiz/client.js";

/** What `backfill` is asked to do; {@link checkFlags} says whether it can. */
export interface BackfillFlags {
  readonly configFile: string;
  /** Days of history to read, as the health endpoint's `days`: 1 to {@link MAX_DAYS}. */
  readonly days: number;
  /** Snapshot size; default the configuration's `health.granularity`. */
  readonly granularity?: Granularity;
  /** The OpenMetrics file to write. */
  readonly out: string;
}

/** The longest window the health endpoint serves, as for `health.days`. */
export const MAX_DAYS = 366;

const GRANULARITIES: readonly Granularity[] = ["daily", "hourly"];
const DAYS_RANGE = `a whole number from 1 to ${MAX_DAYS}`;
const PROGRESS_EVERY_MS = 1_000;

/** The `backfill` subcommand, for `buildCli`; `onExit` receives the exit code. */
export function backfillCommand(onExit: (code: number) => void): Command {
  return new Command("backfill")
    .description("write the numbers' snapshot history as OpenMetrics for promtool")
    .requiredOption("--days <count>", `days of history to read (1-${MAX_DAYS})`, daysArg)
    .addOption(
      new Option(
        "--granularity <size>",
        "snapshot size (default: health.granularity)",
      ).choices(GRANULARITIES),
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

function daysArg(value: string): number {
  const days = Number(value);
  if (!isDays(days)) throw new InvalidArgumentError(`expected ${DAYS_RANGE}`);
  return days;
}

function isDays(days: number): boolean {
  return Number.isInteger(days) && days >= 1 && days <= MAX_DAYS;
}

/** Every problem with `flags` that would make Vobiz refuse each request, as messages. */
export function checkFlags(flags: BackfillFlags): string[] {
  const problems: string[] = [];
  if (!isDays(flags.days)) {
    problems.push(`--days must be ${DAYS_RANGE} (got ${flags.days})`);
  }
  if (flags.granularity !== undefined && !GRANULARITIES.includes(flags.granularity)) {
    const allowed = GRANULARITIES.join(" or ");
    problems.push(`--granularity must be ${allowed} (got ${flags.granularity})`);
  }
  return problems;
}

/**
 * `vobiz-exporter backfill`: reads every configured and discovered number's snapshot
 * history and writes it as OpenMetrics text for `promtool tsdb create-blocks-from
 * openmetrics`. Flags, configuration and the output location are checked before any
 * request. Progress and failures go to standard error. Resolves to the exit code: 1
 * when a check fails, when any account or number failed (the file then holds the
 * others), or when there is no sample to write (no file is written then).
 */
export async function backfill(
  flags: BackfillFlags,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const problems = checkFlags(flags);
  const loaded = await loadConfig(flags.configFile);
  if (!loaded.ok) problems.push(...loaded.problems.map(formatProblem));
  if (problems.length > 0 || !loaded.ok) {
    for (const problem of problems) stderr.write(`backfill: ${problem}\n`);
    return 1;
  }
  const { config } = loaded;

  let output: Output;
  try {
    output = await openOutput(flags.out);
  } catch (error) {
    stderr.write(`backfill: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  const client = new VobizClient({
    baseUrl: config.api.baseUrl,
    maxResponseBytes: config.api.maxResponseBytes,
  });
  try {
    return await readAndWrite(config, client, output, flags, stderr);
  } finally {
    await output.discard();
    await client.close();
  }
}

async function readAndWrite(
  config: ExporterConfig,
  client: VobizClient,
  output: Output,
  flags: BackfillFlags,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const granularity = flags.granularity ?? config.health.granularity;
  const failures: BackfillFailure[] = [];
  const histories = await readAll(config, client, flags.days, granularity, {
    stderr,
    failures,
  });

  const samples = await output.write(
    backfillLines(histories, {
      granularity,
      answerRateUnit: config.health.answerRateUnit,
      nowMs: Date.now(),
    }),
  );
  if (samples === 0) {
    // An empty file would turn into no blocks without a word from promtool, and
    // would replace the previous run's file: keep that one and say why instead.
    const why = whyNoSamples(histories.length, failures.length, granularity);
    stderr.write(`backfill: ${why}; nothing written to ${flags.out}\n`);
    return 1;
  }

  await output.commit();
  stderr.write(
    `backfill: wrote ${samples} samples of ${histories.length} numbers to ${flags.out}\n`,
  );
  if (failures.length === 0) return 0;
  stderr.write(`backfill: ${failures.length} failure(s); the file holds the rest\n`);
  return 1;
}

function whyNoSamples(read: number, failed: number, granularity: Granularity): string {
  if (read === 0 && failed > 0) return `every read failed (${failed} failure(s))`;
  const none = `no complete ${granularity} period in the ${read} numbers read`;
  return failed === 0 ? none : `${failed} failure(s) and ${none}`;
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
      stderr.write(`backfill: ${describeFailure(failure)}\n`);
    },
    // At most one line a second, and the last: a long run stays readable.
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
