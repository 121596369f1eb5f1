import { Registry } from "prom-client";

import type { NumberOutcome } from "../collect/outcome.js";
import type { Target } from "../collect/target.js";
import type { ExporterConfig } from "../config/types.js";
import { addNumberMetrics } from "../metrics/render.js";
import { html, type SafeHtml } from "./html.js";
import { age } from "./landing.js";
import { page } from "./page.js";

/**
 * One number's details: the last request sent to Vobiz for it (URL without
 * credentials, status, timing, `api_id`) and the series its last outcome produced.
 */
export async function debugPage(
  target: Target,
  outcome: NumberOutcome | undefined,
  config: ExporterConfig,
  nowMs: number,
): Promise<SafeHtml> {
  const title = `${target.number} (${target.account.name})`;
  if (outcome === undefined) {
    return page(
      title,
      html`<h1>${title}</h1>
        <p>
          Not scraped yet. Open <a href="metrics">/metrics</a>, then reload this page.
        </p>`,
    );
  }

  const request = outcome.lastRequest;
  const { error } = outcome;
  const labels = Object.entries(target.labels).map(([k, v]) => `${k}="${v}"`);
  return page(
    title,
    html`<h1>${title}</h1>
      <p>Labels: <code>${labels.join(", ")}</code></p>
      <h2>Last scrape</h2>
      <table id="outcome">
        <tr>
          <th>Result</th>
          <td>${error === undefined ? "read" : "failed"}</td>
        </tr>
        <tr>
          <th>Reason</th>
          <td>${error?.reason ?? ""}</td>
        </tr>
        <tr>
          <th>Error</th>
          <td>${error?.message ?? ""}</td>
        </tr>
      </table>
      <p>
        The scrape's result can differ from the last request's: a retry skipped while the
        account was paused, or an answer shared with another scrape, sends none.
      </p>
      <h2>Last request to Vobiz</h2>
      ${
        request === undefined
          ? html`<p>
              None yet: this number's answers so far came from a shared read or the cache,
              or the account was paused.
            </p>`
          : html`<table id="request">
              <tr>
                <th>URL</th>
                <td><code>GET ${request.url}</code></td>
              </tr>
              <tr>
                <th>Status</th>
                <td>${request.status ?? "no response"}</td>
              </tr>
              <tr>
                <th>Reason</th>
                <td>${request.reason ?? ""}</td>
              </tr>
              <tr>
                <th>Error</th>
                <td>${request.error ?? ""}</td>
              </tr>
              <tr>
                <th>Vobiz message</th>
                <td>${request.upstreamMessage ?? ""}</td>
              </tr>
              <tr>
                <th>api_id</th>
                <td>${request.apiId ?? ""}</td>
              </tr>
              <tr>
                <th>Duration</th>
                <td>${Math.round(request.seconds * 1000)} ms</td>
              </tr>
              <tr>
                <th>When</th>
                <td>${age(request.atMs, nowMs)}</td>
              </tr>
            </table>`
      }
      <h2>Metrics from the last scrape</h2>
      <pre id="metrics">${await renderOne(outcome, config, nowMs)}</pre>`,
  );
}

async function renderOne(
  outcome: NumberOutcome,
  config: ExporterConfig,
  nowMs: number,
): Promise<string> {
  const registry = new Registry();
  addNumberMetrics(registry, [outcome], {
    answerRateUnit: config.health.answerRateUnit,
    granularity: config.health.granularity,
    nowMs,
  });
  return registry.metrics();
}
