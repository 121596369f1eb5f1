// Opens the demo exporter's landing page and a number's details page in Debian's
// Chromium (driven by playwright-core, no downloaded browser) and saves screenshots
// under test-output/ for a person to look at.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";

import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO_AUTH_TOKEN, demoAccount } from "../src/simulator/index.js";
import { startDemo, type DemoProcess } from "./helpers/processes.js";
import { findTool } from "./helpers/tools.js";

const ROOT = resolve(import.meta.dirname, "..");
const OUTPUT = join(ROOT, "test-output");
const chromiumBinary = findTool("chromium");

const BLOCKED = "+919988776655";

/** Flags for a headless Chromium that stays off the network and needs no sandbox. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

describe.skipIf(chromiumBinary === undefined)(
  "landing and details pages in Chromium",
  () => {
    let demo: DemoProcess;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      await mkdir(OUTPUT, { recursive: true });
      demo = await startDemo();
      // The landing page shows each number as of the last scrape.
      const scrape = await fetch(`${demo.url}/metrics`);
      expect(scrape.status).toBe(200);

      browser = await chromium.launch({
        executablePath: chromiumBinary!,
        args: CHROMIUM_ARGS,
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.child.stop();
    });

    test("the landing page lists every demo number with its status", async () => {
      const response = await page.goto(`${demo.url}/`);
      expect(response?.status()).toBe(200);

      const rows = page.locator("#numbers tr[data-number]");
      const shown = new Map<string, string>();
      for (const row of await rows.all()) {
        const number = await row.getAttribute("data-number");
        shown.set(number ?? "", (await row.locator(".status").innerText()).trim());
      }
      const expected = demoAccount().numbers.map(
        (n) => [n.e164, n.status ?? "active"] as const,
      );
      expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(expected));
      expect(shown.get(BLOCKED)).toBe("blocked");

      await page.screenshot({ path: join(OUTPUT, "landing.png"), fullPage: true });
      expect(await page.content()).not.toContain(DEMO_AUTH_TOKEN);
    });

    test("the blocked number's details link shows its last request and metrics", async () => {
      await page.goto(`${demo.url}/`);
      await Promise.all([
        page.waitForURL(/\/debug\?/),
        page.locator(`tr[data-number="${BLOCKED}"] a`, { hasText: "details" }).click(),
      ]);
      expect(page.url()).toContain(`number=${encodeURIComponent(BLOCKED)}`);

      await expect.poll(() => page.locator("h1").textContent()).toContain(BLOCKED);
      const request = page.locator("#request");
      expect(await request.locator("tr", { hasText: "URL" }).textContent()).toContain(
        "%2B919988776655",
      );
      expect(
        (
          await request.locator("tr", { hasText: "Status" }).locator("td").textContent()
        )?.trim(),
      ).toBe("200");
      const metrics = (await page.locator("#metrics").textContent()) ?? "";
      expect(metrics).toContain(`number="${BLOCKED}"`);
      expect(metrics).toMatch(/vobiz_number_status\{[^}]*status="blocked"\} 1/);
      expect(metrics).toMatch(/vobiz_number_up\{[^}]*\} 1/);

      await page.screenshot({ path: join(OUTPUT, "details.png"), fullPage: true });
      expect(await page.content()).not.toContain(DEMO_AUTH_TOKEN);
    });
  },
);
