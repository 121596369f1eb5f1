import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { demoAccount } from "../src/simulator/index.js";
import { freePort, isUp, startChild, waitFor } from "./helpers/processes.js";

const MAIN = "dist/main.js";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vobiz-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built binary to completion. */
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function configFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe("--config.check", () => {
  test("exits 0 for the shipped exporter.yml with its variables set", () => {
    const result = run(["--config.check", "--config.file=exporter.yml"], {
      VOBIZ_AUTH_ID: "MA_EXAMPLE",
      VOBIZ_AUTH_TOKEN: "example-token",
    });
    expect(result).toMatchObject({ status: 0, stdout: expect.stringContaining("valid") });
  });

  test("exits 1 and prints every problem with its position", async () => {
    const file = await configFile(
      "bad.yml",
      [
        "api:",
        "  timeout: soon",
        "accounts:",
        "  - auth_id: MA_X",
        "    auth_token: t",
        "    numbers: ['12345']",
        "",
      ].join("\n"),
    );
    const result = run(["--config.check", `--config.file=${file}`]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}:2:12: api.timeout:`);
    expect(result.stderr).toContain(`${file}:6:15: accounts[0].numbers[0]:`);
  });

  test("warns of a discovery status Vobiz does not document, and still exits 0", async () => {
    const file = await configFile(
      "typo-status.yml",
      [
        "accounts:",
        "  - auth_id: MA_X",
        "    auth_token: t",
        "    discover:",
        "      enabled: true",
        "      statuses: [actve]",
        "",
      ].join("\n"),
    );
    const result = run(["--config.check", `--config.file=${file}`]);

    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      `${file}: warning: accounts[0].discover.statuses: "actve" is not a status`,
    );
    expect(result.stdout).toContain("configuration is valid");
  });

  test("exits 1 for a file that does not exist, naming it", () => {
    const result = run(["--config.check", "--config.file=/nonexistent/exporter.yml"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("/nonexistent/exporter.yml");
  });
});

describe("serving", () => {
  test("a bad configuration exits 1 without listening", async () => {
    const port = await freePort();
    const file = await configFile("unknown-key.yml", "nonsense: true\n");
    const result = run([
      `--config.file=${file}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("nonsense");
    expect(await isUp(`http://127.0.0.1:${port}/-/healthy`)).toBeUndefined();
  });

  test("the exporter's flags before a subcommand are refused, not ignored", () => {
    const result = run(["--config.check", "--web.listen-address=:0", "demo"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '--config.check, --web.listen-address before "demo" would be ignored',
    );
    expect(result.stdout + result.stderr).not.toContain("simulator listening");
  });

  test("a malformed --web.listen-address is refused before anything starts", () => {
    const result = run(["demo", "--web.listen-address=80x"]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("'--web.listen-address <address>' argument '80x'");
    expect(result.stderr).toContain("[IPv6 address]:port");
    expect(result.stdout + result.stderr).not.toContain("simulator listening");
  });

  test("a port in use exits 1 naming the address and the flag to change", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = run(["demo", `--web.listen-address=127.0.0.1:${port}`]);

      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `cannot listen on "127.0.0.1:${port}" (EADDRINUSE)`,
      );
      expect(result.stderr).toContain("--web.listen-address");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  test("a listen host that does not resolve exits 1 naming the address and the flag", () => {
    const result = run(["demo", "--web.listen-address=nosuchhost.invalid:9817"]);

    expect(result.status).toBe(1);
    // Without a DNS server to say no, the lookup fails as EAI_AGAIN instead.
    expect(result.stderr).toMatch(
      /cannot listen on "nosuchhost\.invalid:9817" \((ENOTFOUND|EAI_AGAIN)\): the host name/,
    );
    expect(result.stderr).toContain("--web.listen-address or listen_address");
  });

  test("demo serves real gauges for every demo number and stops on SIGTERM", async () => {
    const port = await freePort();
    const demo = startChild(process.execPath, [
      MAIN,
      "demo",
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    try {
      await waitFor("the demo", () => isUp(`http://127.0.0.1:${port}/-/ready`));
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

      for (const number of demoAccount().numbers) {
        expect(body).toMatch(
          new RegExp(`vobiz_number_up\\{[^}]*number="\\${number.e164}"[^}]*\\} 1`),
        );
      }
      expect(demo.output()).toContain("vobiz simulator listening");
      expect(demo.output()).toContain("exporter listening");
    } finally {
      expect(await demo.stop()).toBe(0);
    }
  });
});
