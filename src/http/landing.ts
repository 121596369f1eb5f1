import type { NumberOutcome } from "../collect/outcome.js";
import type { Target } from "../collect/target.js";
import type { Exporter } from "../exporter.js";
import { html, type SafeHtml } from "./html.js";
import { page } from "./page.js";

/** The landing page: what this is, where its endpoints are, and each number's state. */
export function landingPage(
  exporter: Exporter,
  version: string,
  nowMs: number,
): SafeHtml {
  const rows = exporter.targets.map((target) =>
    numberRow(target, exporter.lastOutcome(target), nowMs),
  );

  return page(
    "Vobiz exporter",
    html`<h1>Vobiz exporter</h1>
      <p>
        Version <span id="version">${version}</span>. A Prometheus exporter for the health
        of Vobiz phone numbers: Prometheus scrapes <a href="metrics">/metrics</a>, or
        <a href="sd">/sd</a> with <code>/probe</code> for one number at a time.
      </p>
      <h2>Numbers</h2>
      <p>As of the last scrape; <a href="metrics">/metrics</a> reads them all again.</p>
      <table id="numbers">
        <thead>
          <tr>
            <th>Account</th>
            <th>Number</th>
            <th>Status</th>
            <th>Spam</th>
            <th>Last result</th>
            <th>Reason</th>
            <th>Duration</th>
            <th>Last success</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`,
  );
}

function numberRow(target: Target, outcome: NumberOutcome | undefined, nowMs: number) {
  const result = outcome === undefined ? "pending" : outcome.health ? "up" : "down";
  const health = outcome?.health;
  const query = new URLSearchParams({
    account: target.account.name,
    number: target.number,
  });
  const details = `debug?${query.toString()}`;

  return html`<tr data-number="${target.number}">
    <td>${target.account.name}</td>
    <td>${target.number}</td>
    <td class="status ${health?.status === "active" ? "" : "alarm"}">
      ${health?.status ?? ""}
    </td>
    <td class="${health?.isSpam ? "alarm" : ""}">
      ${health?.isSpam === undefined ? "" : health.isSpam ? "yes" : "no"}
    </td>
    <td class="${result}">${result === "pending" ? "not scraped yet" : result}</td>
    <td>${outcome?.error?.reason ?? ""}</td>
    <td>${outcome === undefined ? "" : `${Math.round(outcome.seconds * 1000)} ms`}</td>
    <td>${age(outcome?.lastSuccessMs, nowMs)}</td>
    <td><a href="${details}">details</a></td>
  </tr>`;
}

/** "12 s ago", "3 min ago", or "never". */
export function age(atMs: number | undefined, nowMs: number): string {
  if (atMs === undefined) return "never";
  const seconds = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
