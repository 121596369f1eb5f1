import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startExporter, type RunningExporter } from "../src/commands/run-exporter.js";
import { loadConfig } from "../src/config/load.js";
import { Secret } from "../src/secret.js";
import {
  DEMO_AUTH_ID,
  demoAccount,
  startSimulator,
  type RunningSimulator,
} from "../src/simulator/index.js";
import { VobizClient } from "../src/vobiz/client.js";
import { captureLogger } from "./helpers/logger.js";

// Distinctive values, so that any copy of them anywhere is found.
const TOKEN = "canary-token-7f3a9c1e5b2d";
const WRONG_TOKEN = "canary-wrong-0d8e6b4a2c9f";
const FAILING = "+919876543210";
const REFUSED = "+919812345678";

let dir: string;
let configFile: string;
let simulator: RunningSimulator;
let running: RunningExporter;
let logLines: string[];
let logger: ReturnType<typeof captureLogger>["logger"];

/** Every account reads with the file token; `bad` uses a wrong inline token. */
function configText(extra = ""): string {
  return [
    "api:",
    `  base_url: ${simulator.url}`,
    "  retries: 0",
    "cache:",
    "  ttl: 0",
    "accounts:",
    "  - name: good",
    `    auth_id: ${DEMO_AUTH_ID}`,
    "    auth_token_file: token.txt",
    `    numbers: ["${FAILING}", "${REFUSED}", "+918041234567"]`,
    "  - name: bad",
    `    auth_id: ${DEMO_AUTH_ID}`,
    `    auth_token: ${WRONG_TOKEN}`,
    '    numbers: ["+919900112233"]',
    extra,
  ].join("\n");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vobiz-secrets-"));
  configFile = join(dir, "exporter.yml");
  simulator = await startSimulator({
    accounts: [{ ...demoAccount(), authToken: TOKEN }],
  });
  simulator.setFault(FAILING, { name: "http_500" });
  simulator.setFault(REFUSED, { name: "unauthorized" });
  await writeFile(join(dir, "token.txt"), `${TOKEN}\n`);
  await writeFile(configFile, configText());

  const loaded = await loadConfig(configFile);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  ({ logger, lines: logLines } = captureLogger());
  running = await startExporter(loaded.config, logger, "127.0.0.1:0", {
    load: () => loadConfig(configFile),
  });
});

afterAll(async () => {
  await running.stop();
  await simulator.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${running.listening.url}${path}`, init);
  return { status: response.status, body: await response.text() };
};

const expectNoToken = (text: string) => {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(WRONG_TOKEN);
};

describe("secrets", () => {
  test("a scrape with upstream 500s and 401s logs no token at debug level", async () => {
    const { status, body } = await get("/metrics");

    expect(status).toBe(200);
    expect(body).toMatch(/vobiz_number_up\{[^}]*number="\+919876543210"[^}]*\} 0/);
    expect(body).toMatch(/vobiz_number_scrape_errors_total\{[^}]*reason="auth"/);
    expectNoToken(body);
    expect(logLines.some((line) => line.includes('"level":"error"'))).toBe(true);
    for (const line of logLines) expectNoToken(line);
  });

  test("/config shows every token, inline or from a file, as <secret>", async () => {
    const { status, body } = await get("/config");

    expect(status).toBe(200);
    expectNoToken(body);
    expect(body.match(/auth_token: <secret>/g)).toHaveLength(2);
    expect(body).toContain("timeout: 10s");
    expect(body).toContain("max_response_bytes: 8MiB");
  });

  test.each([
    "/",
    `/debug?account=good&number=${encodeURIComponent(REFUSED)}`,
    "/debug?account=bad&number=%2B919900112233",
    "/probe?account=bad&number=%2B919900112233",
  ])("%s shows no token", async (path) => {
    const { status, body } = await get(path);
    expect(status).toBe(200);
    expectNoToken(body);
  });

  test("a logged configuration prints its tokens as <secret>", () => {
    logger.info({ config: running.exporter.config }, "configuration");

    const line = logLines.at(-1) ?? "";
    expectNoToken(line);
    expect(line.match(/<secret>/g)).toHaveLength(2);
  });

  test("a refused reload reports the bad token value as <secret>", async () => {
    await writeFile(
      configFile,
      configText().replace(`auth_token: ${WRONG_TOKEN}`, `auth_token: [${WRONG_TOKEN}]`),
    );
    const { status, body } = await get("/-/reload", { method: "POST" });

    expect(status).toBe(500);
    expect(body).toContain("accounts[1].auth_token: expected a string (got <secret>)");
    expectNoToken(body);
    for (const line of logLines) expectNoToken(line);
  });

  test("an upstream 401 error, with its cause, prints no token", async () => {
    const client = new VobizClient({ baseUrl: simulator.url, maxResponseBytes: 1 << 20 });
    const account = {
      ...running.exporter.config.accounts[1]!,
      authToken: new Secret(WRONG_TOKEN),
    };
    const error = await client
      .getHealth(
        account,
        "+919900112233",
        { granularity: "daily", days: 30 },
        AbortSignal.timeout(5_000),
      )
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    await client.close();

    expect(error).toMatchObject({ reason: "auth", status: 401 });
    expectNoToken(inspect(error, { depth: 10, showHidden: true }));
    expectNoToken(JSON.stringify(error));
    expectNoToken(String(error));
    logger.error({ err: error }, "number health read failed");
    expectNoToken(logLines.at(-1) ?? "");
  });

  test.each([
    [
      "a JSON error",
      (token: string) => ({ api_id: `id-${token}`, message: `bad "${token}"` }),
    ],
    // The token straddles the 200-character cut of an excerpt: no part of it may stay.
    ["an HTML page", (token: string) => `<p>${"x".repeat(190)} ${token} refused</p>`],
  ])(
    "an upstream that quotes the token back in %s is not repeated",
    async (_, answer) => {
      const echo = createServer((req, res) => {
        const token = String(req.headers["x-auth-token"]);
        const body = answer(token);
        const json = typeof body !== "string";
        res.writeHead(401, { "content-type": json ? "application/json" : "text/html" });
        res.end(json ? JSON.stringify(body) : body);
      });
      await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
      const { port } = echo.address() as AddressInfo;
      const client = new VobizClient({
        baseUrl: `http://127.0.0.1:${port}`,
        maxResponseBytes: 1 << 20,
      });
      const account = {
        ...running.exporter.config.accounts[0]!,
        authToken: new Secret(TOKEN),
      };

      try {
        const error = await client
          .getHealth(
            account,
            FAILING,
            { granularity: "daily", days: 30 },
            AbortSignal.timeout(5_000),
          )
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );

        expect(error).toMatchObject({ reason: "auth", status: 401 });
        const printed = inspect(error, { depth: 10, showHidden: true });
        expect(printed).toContain("<secret>");
        // Not even the token's first characters, as a cut excerpt would leave them.
        expect(printed).not.toContain(TOKEN.slice(0, 12));
        expect(JSON.stringify(error)).not.toContain(TOKEN.slice(0, 12));
      } finally {
        await client.close();
        echo.close();
      }
    },
  );
});
