import { Command, InvalidArgumentError, Option } from "commander";

import { parseDuration } from "./config/duration.js";
import { backfillCommand } from "./commands/backfill.js";
import { demo } from "./commands/demo.js";
import { serve } from "./commands/serve.js";
import { simulate } from "./commands/simulate.js";
import { parseListenAddress } from "./http/listen.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import { VERSION } from "./version.js";

const WEB_CONFIG_HELP =
  "TLS and basic auth, in the exporter toolkit's web-config.yml format";

/**
 * The command line, in Prometheus exporter style (`--config.file`, `--web.*`). Each
 * action resolves to an exit code, or to undefined when it keeps serving.
 */
export function buildCli(onExit: (code: number) => void): Command {
  const logLevel = () =>
    new Option("--log.level <level>", "log level").choices(LOG_LEVELS).default("info");

  const program = new Command("vobiz-exporter")
    .description("Prometheus exporter for Vobiz phone-number health")
    // Options after a subcommand belong to it: `demo --web.listen-address` is the demo's.
    .enablePositionalOptions()
    .version(VERSION)
    .option("--config.file <path>", "configuration file", "exporter.yml")
    .option("--config.check", "validate the configuration, print every problem, exit")
    .option(
      "--web.listen-address <address>",
      "listen address (overrides the file)",
      addressArg,
    )
    .option("--web.config.file <path>", WEB_CONFIG_HELP)
    .addOption(logLevel())
    .action(async (opts: Record<string, unknown>) => {
      const code = await serve({
        configFile: opts["config.file"] as string,
        configCheck: opts["config.check"] === true,
        listenAddress: opts["web.listenAddress"] as string | undefined,
        webConfigFile: opts["web.config.file"] as string | undefined,
        logLevel: opts["log.level"] as LogLevel,
      });
      if (code !== undefined) onExit(code);
    });

  program
    .command("demo")
    .description("run the built-in Vobiz simulator and the exporter against it")
    .option(
      "--web.listen-address <address>",
      "exporter listen address",
      addressArg,
      ":9817",
    )
    .option("--web.config.file <path>", WEB_CONFIG_HELP)
    .addOption(logLevel())
    .action(async (opts: Record<string, unknown>) => {
      const code = await demo({
        listenAddress: opts["web.listenAddress"] as string,
        webConfigFile: opts["web.config.file"] as string | undefined,
        logLevel: opts["log.level"] as LogLevel,
      });
      if (code !== undefined) onExit(code);
    });

  program
    .command("simulate")
    .description("run the Vobiz API simulator alone")
    .option(
      "--listen-address <address>",
      "simulator listen address",
      addressArg,
      "127.0.0.1:9818",
    )
    .option("--latency <duration>", "delay added to every response", durationArg, 0)
    .option("--numbers <count>", "serve this many generated numbers", countArg)
    .option("--fault <number=fault>", "inject a fault (repeatable)", collect, [])
    .action(async (opts: Record<string, unknown>) => {
      const code = await simulate({
        listenAddress: opts["listenAddress"] as string,
        latencyMs: opts["latency"] as number,
        numbers: opts["numbers"] as number | undefined,
        faults: opts["fault"] as string[],
      });
      if (code !== undefined) onExit(code);
    });

  program.addCommand(backfillCommand(onExit));

  // The exporter's own flags before a subcommand would be parsed and then ignored:
  // `--config.check demo` would start the demo rather than check anything.
  program.hook("preSubcommand", (_program, subcommand) => {
    const given = program.options.filter(
      (option) => program.getOptionValueSource(option.attributeName()) === "cli",
    );
    if (given.length === 0) return;
    const flags = given.map((option) => option.long ?? option.flags).join(", ");
    program.error(
      `${flags} before "${subcommand.name()}" would be ignored: a subcommand's flags ` +
        `go after its name, as in: vobiz-exporter ${subcommand.name()} --help`,
    );
  });

  return program;
}

/** A listen address, checked before anything starts; port 0 picks a free port. */
function addressArg(value: string): string {
  try {
    parseListenAddress(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidArgumentError("expected a duration like 20ms or 1s");
  return ms;
}

function countArg(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError("expected a whole number");
  }
  return count;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
