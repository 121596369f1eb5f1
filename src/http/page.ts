import { html, SafeHtml } from "./html.js";

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2328; }
  table { border-collapse: collapse; margin-top: 0.5rem; }
  td, th { border: 1px solid #d0d7de; padding: 0.3rem 0.7rem; text-align: left; }
  th { background: #f6f8fa; }
  .up { color: #1a7f37; font-weight: 600; }
  .down { color: #cf222e; font-weight: 600; }
  .pending { color: #57606a; }
  .alarm { color: #cf222e; font-weight: 600; }
  pre { background: #f6f8fa; padding: 1rem; overflow-x: auto; }
  nav a { margin-right: 1rem; }
`;

// A constant of this module, so it needs no escaping.
const STYLE_SHEET = new SafeHtml(STYLE);

// Links side by side with no white space between them, spaced by the style sheet.
const NAV = new SafeHtml(
  [
    ["./", "Home"],
    ["metrics", "Metrics"],
    ["config", "Config"],
    ["sd", "Service discovery"],
    ["-/healthy", "Health"],
    ["-/ready", "Readiness"],
  ]
    .map(([href, text]) => `<a href="${href}">${text}</a>`)
    .join(""),
);

/** A complete page with the exporter's shared head, style and navigation. */
export function page(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${STYLE_SHEET}
        </style>
      </head>
      <body>
        <nav>${NAV}</nav>
        ${body}
      </body>
    </html> `;
}
