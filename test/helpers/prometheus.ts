import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { stringify } from "yaml";

import { freePort, isUp, startChild, waitFor, type Child } from "./processes.js";

/** One sample of an instant-vector query result. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A real Prometheus server on loopback, with its own temporary storage. */
export interface RunningPrometheus {
  readonly url: string;
  readonly child: Child;
  /** Runs an instant query; rejects when Prometheus reports an error. */
  query(expr: string): Promise<Sample[]>;
  stop(): Promise<void>;
}

export interface PrometheusSetup {
  /** `scrape_configs` entries. */
  readonly scrapeConfigs: readonly Record<string, unknown>[];
  readonly global?: Record<string, unknown>;
  /** Rule files, by absolute path. */
  readonly ruleFiles?: readonly string[];
  /** `host:port` of an Alertmanager to send alerts to. */
  readonly alertmanager?: string;
  /** Extra command-line flags. */
  readonly flags?: readonly string[];
}

/** Starts `prometheus` (from PATH) and waits until it is ready. */
export async function startPrometheus(
  binary: string,
  setup: PrometheusSetup,
): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), "vobiz-prometheus-"));
  const configFile = join(dir, "prometheus.yml");
  await writeFile(
    configFile,
    stringify({
      global: setup.global ?? { scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: setup.ruleFiles ?? [],
      scrape_configs: setup.scrapeConfigs,
      ...(setup.alertmanager === undefined
        ? {}
        : {
            alerting: {
              alertmanagers: [{ static_configs: [{ targets: [setup.alertmanager] }] }],
            },
          }),
    }),
  );

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(binary, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(setup.flags ?? []),
  ]);
  try {
    await waitFor("prometheus to be ready", () => isUp(`${url}/-/ready`));
  } catch (error) {
    await child.stop();
    throw new Error(`prometheus did not start:\n${child.output()}`, { cause: error });
  }

  return {
    url,
    child,
    query: async (expr) => {
      const response = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== "success")
        throw new Error(`query ${expr} failed: ${body.error}`);
      return (body.data?.result ?? []).map((r) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }));
    },
    stop: async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
