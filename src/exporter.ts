import { Collector } from "./collect/collector.js";
import { deadlineIn, scrapeBudgetMs } from "./collect/deadline.js";
import { NumberStates } from "./collect/number-states.js";
import type { NumberOutcome } from "./collect/outcome.js";
import { targetKey, type Target } from "./collect/target.js";
import type { ExporterConfig } from "./config/types.js";
import { Discoverer } from "./discover/discoverer.js";
import { DiscoveryMetrics } from "./discover/metrics.js";
import { mergeTargets } from "./discover/targets.js";
import {
  afterPendingIo,
  expositionText,
  joined,
  type Exposition,
  type StreamedExposition,
} from "./exposition.js";
import type { Logger } from "./log.js";
import { ExporterMetrics } from "./metrics/exporter-metrics.js";
import { NumberMetricsRenderer } from "./metrics/render.js";
import { SlabPool } from "./metrics/slab-pool.js";
import { CONTENT_TYPES } from "./metrics/text-format.js";
import { VobizClient } from "./vobiz/client.js";

/**
 * How much text the scrapes in flight may render while they wait for answers: about
 * 2,700 numbers' worth of the 2.8 KB each takes with two labels. A scrape that does not
 * fit writes its text as it is sent, and an exporter whose scrapes never fit never
 * takes this memory.
 */
const EARLY_RENDER_BYTES = 8 * 1024 * 1024;

export interface ExporterOptions {
  readonly config: ExporterConfig;
  readonly logger: Logger;
  readonly version: string;
  /** Process and Node.js metrics; off in golden-file tests, where they vary. */
  readonly processMetrics?: boolean;
  readonly now?: () => number;
}

/** What a scrape is asked for. */
export interface ScrapeRequest {
  /** `X-Prometheus-Scrape-Timeout-Seconds`, when Prometheus sent it. */
  readonly timeoutHeader?: string;
  readonly openMetrics: boolean;
  /**
   * Aborts when the client that asked has gone: the numbers not yet read are not
   * read, and what the scrape learned is not kept as the numbers' last outcomes.
   */
  readonly abandoned?: AbortSignal;
}

/**
 * The running exporter: the configuration in force, the numbers it monitors, and the
 * collector and metrics that turn them into an exposition.
 */
export class Exporter {
  readonly metrics: ExporterMetrics;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #states = new NumberStates();
  readonly #slabs = new SlabPool(EARLY_RENDER_BYTES);
  #config!: ExporterConfig;
  #targets: readonly Target[] = [];
  #client!: VobizClient;
  #collector!: Collector;
  #lastOutcomes = new Map<Target, NumberOutcome>();
  readonly #discoverer: Discoverer;
  #closing: Promise<void> | undefined;
  #targetIndex = { targets: this.#targets, byKey: new Map<string, Target>() };

  constructor(options: ExporterOptions) {
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.metrics = new ExporterMetrics(options.version, {
      processMetrics: options.processMetrics ?? true,
    });
    this.#discoverer = new Discoverer({
      logger: options.logger,
      metrics: new DiscoveryMetrics(this.metrics.registry),
      onChange: () => this.#retarget(),
      now: this.#now,
    });
    this.apply(options.config);
  }

  get config(): ExporterConfig {
    return this.#config;
  }

  get targets(): readonly Target[] {
    return this.#targets;
  }

  /** The newest outcome of each monitored number, for the landing page. */
  lastOutcome(target: Target): NumberOutcome | undefined {
    return this.#lastOutcomes.get(target);
  }

  /** Puts a validated configuration in force; the next scrape uses it. */
  apply(config: ExporterConfig): void {
    const previousClient = this.#client;
    const previousConfig = this.#config as ExporterConfig | undefined;
    this.#config = config;
    this.#client = new VobizClient({
      baseUrl: config.api.baseUrl,
      maxResponseBytes: config.api.maxResponseBytes,
      observe: this.metrics.observeRequest,
    });
    this.#discoverer.update(config, this.#client);
    this.#targets = mergeTargets(config, this.#discoverer.lists);
    this.#collector = new Collector({
      client: this.#client,
      health: config.health,
      maxConcurrency: config.api.maxConcurrency,
      retries: config.api.retries,
      cacheTtlMs: config.cache.ttlMs,
      logger: this.#logger,
      states: this.#states,
      now: this.#now,
    });
    this.#states.retainOnly(this.#targets);
    // Answers read with old credentials must not hide that the new ones fail, and a
    // rate limit met with old credentials need not hold the new ones back.
    const readDifferently = accountsReadDifferently(previousConfig, config);
    this.#states.cache.forgetAccounts(readDifferently);
    this.#states.pauses.forgetAccounts(readDifferently);
    this.#lastOutcomes = carriedOver(this.#lastOutcomes, this.#targets, readDifferently);
    this.metrics.setNumberCounts(countBySource(this.#targets, config));
    this.metrics.recordReload(true, this.#now());
    void previousClient?.close().catch(() => undefined);
  }

  /** Reads every monitored number; the exposition is written as it is sent. */
  async scrapeStream(request: ScrapeRequest): Promise<StreamedExposition> {
    return this.#expose(this.#targets, request, true);
  }

  /** Reads every monitored number and renders the whole exposition. */
  async scrape(request: ScrapeRequest): Promise<Exposition> {
    return joined(await this.scrapeStream(request));
  }

  /**
   * The monitored number `number` of account `accountName` (configured or discovered),
   * or undefined when the exporter does not monitor it.
   */
  findTarget(accountName: string, number: string): Target | undefined {
    if (this.#targetIndex.targets !== this.#targets) {
      const byKey = new Map(
        this.#targets.map((t) => [targetKey(t.account.name, t.number), t] as const),
      );
      this.#targetIndex = { targets: this.#targets, byKey };
    }
    return this.#targetIndex.byKey.get(targetKey(accountName, number));
  }

  /** Reads one monitored number and renders its series alone, for `/probe`. */
  async probe(target: Target, request: ScrapeRequest): Promise<Exposition> {
    return joined(await this.#expose([target], request, false));
  }

  async #expose(
    targets: readonly Target[],
    request: ScrapeRequest,
    withExporterMetrics: boolean,
  ): Promise<StreamedExposition> {
    const budget = scrapeBudgetMs(request.timeoutHeader, this.#config.api.timeoutMs);
    const format = request.openMetrics ? "openmetrics" : "text";
    const { answerRateUnit, granularity } = this.#config.health;
    const options = { answerRateUnit, granularity, nowMs: this.#now() };
    // Each number's series are written as soon as its outcome is known.
    const renderer = new NumberMetricsRenderer(options, format, this.#slabs);
    const { abandoned } = request;
    const deadline = deadlineIn(budget, options.nowMs, abandoned);
    // Read while the first answers are awaited rather than after the last, where their
    // reading (a few /proc files, about a millisecond) would hold the answer back.
    // Prometheus stamps every sample with the scrape's start all the same.
    const exporterWide = withExporterMetrics
      ? {
          process: afterPendingIo(() => this.metrics.processExposition(format)),
          own: () => this.metrics.ownExposition(format),
        }
      : undefined;
    let outcomes: NumberOutcome[];
    try {
      outcomes = await this.#collector.collect(targets, deadline, {
        onProgress: (sofar) => renderer.advance(sofar),
        abandoned,
      });
    } catch (error) {
      renderer.release();
      throw error;
    } finally {
      deadline.end();
    }
    if (abandoned?.aborted !== true) {
      for (const outcome of outcomes) this.#lastOutcomes.set(outcome.target, outcome);
    }

    return {
      contentType: CONTENT_TYPES[format],
      chunks: expositionText(renderer, outcomes, format, exporterWide),
      release: () => renderer.release(),
    };
  }

  /** Stops discovery and releases upstream connections; later calls do nothing. */
  async close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#discoverer.close();
      await this.#client.close();
    })();
    await this.#closing;
  }

  /** Reads every discovering account's number list now; resolves when done. */
  async refreshDiscovery(): Promise<void> {
    await this.#discoverer.refreshAll();
  }

  /** Follows a changed discovered list: later scrapes read the new set of numbers. */
  #retarget(): void {
    this.#targets = mergeTargets(this.#config, this.#discoverer.lists, this.#targets);
    const current = new Set(this.#targets);
    for (const target of this.#lastOutcomes.keys()) {
      if (!current.has(target)) this.#lastOutcomes.delete(target);
    }
    this.#states.retainOnly(this.#targets);
    this.metrics.setNumberCounts(countBySource(this.#targets, this.#config));
  }
}

/**
 * The last outcomes of the numbers still monitored, under their new targets, so that
 * a reload does not blank the landing page until the next scrape. Those of accounts
 * now read with other credentials are dropped, as their cached answers are.
 */
function carriedOver(
  outcomes: ReadonlyMap<Target, NumberOutcome>,
  targets: readonly Target[],
  readDifferently: ReadonlySet<string>,
): Map<Target, NumberOutcome> {
  const byKey = new Map<string, NumberOutcome>();
  for (const [target, outcome] of outcomes) {
    byKey.set(targetKey(target.account.name, target.number), outcome);
  }
  const kept = new Map<Target, NumberOutcome>();
  for (const target of targets) {
    if (readDifferently.has(target.account.name)) continue;
    const outcome = byKey.get(targetKey(target.account.name, target.number));
    if (outcome !== undefined) kept.set(target, { ...outcome, target });
  }
  return kept;
}

/** Accounts whose numbers a new configuration reads with other credentials or URL. */
function accountsReadDifferently(
  before: ExporterConfig | undefined,
  after: ExporterConfig,
): Set<string> {
  const changed = new Set<string>();
  if (before === undefined) return changed;
  const baseUrlChanged = before.api.baseUrl !== after.api.baseUrl;

  for (const account of after.accounts) {
    const old = before.accounts.find((a) => a.name === account.name);
    const same =
      old !== undefined &&
      old.authId === account.authId &&
      old.authToken.equals(account.authToken);
    if (baseUrlChanged || !same) changed.add(account.name);
  }
  return changed;
}

function countBySource(targets: readonly Target[], config: ExporterConfig) {
  const counts = new Map<string, { configured: number; discovered: number }>();
  for (const account of config.accounts) {
    counts.set(account.name, { configured: 0, discovered: 0 });
  }
  for (const target of targets) {
    const count = counts.get(target.account.name);
    if (count !== undefined) count[target.source] += 1;
  }
  return counts;
}
