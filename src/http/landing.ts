import type { Exporter } from "../exporter.js";
import { html, type SafeHtml } from "./html.js";

/** The landing page: what this is, where its endpoints are, and each number's state. */
export function landingPage(
  exporter: Exporter,
  version: string,
  nowMs: number,
): SafeHtml {
  const rows = exporter.targets.map((target) => {
    const outcome = exporter.lastOutcome(target);
    const result =
      outcome === undefined ? "not scraped yet" : outcome.health ? "up" : "down";
    const age =
      outcome?.lastSuccessMs === undefined
        ? ""
        : `${Math.round((nowMs - outcome.lastSuccessMs) / 1000)} s ago`;
    return html`<tr>
      <td>${target.account.name}</td>
      <td>${target.number}</td>
      <td class="${result}">${result}</td>
      <td>${outcome?.error?.reason ?? ""}</td>
      <td>${outcome === undefined ? "" : `${(outcome.seconds * 1000).toFixed(0)} ms`}</td>
      <td>${age}</td>
    </tr>`;
  });

  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Vobiz exporter</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            margin: 2rem;
          }
          table {
            border-collapse: collapse;
          }
          td,
          th {
            border: 1px solid #ccc;
            padding: 0.25rem 0.6rem;
            text-align: left;
          }
          .up {
            color: #1a7f37;
          }
          .down {
            color: #cf222e;
          }
        </style>
      </head>
      <body>
        <h1>Vobiz exporter</h1>
        <p>Version ${version}. Prometheus exporter for Vobiz number health.</p>
        <ul>
          <li><a href="metrics">Metrics</a></li>
          <li><a href="-/healthy">Health</a> and <a href="-/ready">readiness</a></li>
        </ul>
        <h2>Numbers</h2>
        <table>
          <thead>
            <tr>
              <th>Account</th>
              <th>Number</th>
              <th>Last result</th>
              <th>Reason</th>
              <th>Duration</th>
              <th>Last success</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
      </body>
    </html> `;
}
