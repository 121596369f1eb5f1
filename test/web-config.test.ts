import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import bcrypt from "bcryptjs";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startExporter, type RunningExporter } from "../src/commands/run-exporter.js";
import { formatProblem } from "../src/config/load.js";
import { loadWebConfig, type WebConfig } from "../src/http/web-config.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { makeCerts, type TestCerts } from "./helpers/certs.js";
import { testConfig } from "./helpers/config.js";
import { captureLogger } from "./helpers/logger.js";
import { findTool } from "./helpers/tools.js";

const PASSWORD = "s3cret-scrape-password";
let hash: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vobiz-web-"));
  hash = await bcrypt.hash(PASSWORD, 8);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function webFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function problemsOf(text: string): Promise<string[]> {
  const loaded = await loadWebConfig(await webFile("web.yml", text));
  return loaded.ok
    ? []
    : loaded.problems.map(formatProblem).map((p) => p.slice(dir.length + 1));
}

describe("loadWebConfig", () => {
  test.each([
    [
      "basic_auth_users:\n  alice: plain-password\n",
      "web.yml:2:10: basic_auth_users.alice: not a bcrypt hash ($2a$, $2b$ or $2y$ followed by cost and hash)",
    ],
    [
      "tls_server_config:\n  cert_file: a.pem\n",
      'web.yml:2:3: tls_server_config: missing required key "key_file"',
    ],
    [
      "tls_srever_config: {}\n",
      'web.yml:1:1: tls_srever_config: unknown key "tls_srever_config"',
    ],
    [
      "tls_server_config:\n  cert_file: a.pem\n  key_file: b.pem\n  client_auth_type: Sometimes\n",
      "web.yml:4:21: tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert",
    ],
    [
      "tls_server_config:\n  cert_file: a.pem\n  key_file: b.pem\n  client_auth_type: RequireAndVerifyClientCert\n",
      "web.yml:4:21: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file",
    ],
    [
      "tls_server_config:\n  cert_file: missing.pem\n  key_file: missing.key\n",
      "web.yml:2:14: tls_server_config.cert_file: cannot read missing.pem: ENOENT",
    ],
    [
      "basic_auth_users: [alice]\n",
      "web.yml:1:19: basic_auth_users: expected a mapping of user names to bcrypt hashes",
    ],
  ])("%j is refused with its position", async (text, expected) => {
    expect((await problemsOf(text))[0]).toBe(expected);
  });

  test("a bad hash is never quoted in the problem", async () => {
    const problems = await problemsOf("basic_auth_users:\n  alice: $2b$10$short\n");
    expect(problems.join("\n")).not.toContain("$2b$10$short");
  });

  test("an empty file turns nothing on", async () => {
    expect(await loadWebConfig(await webFile("empty.yml", ""))).toMatchObject({
      ok: true,
      config: { users: new Map() },
    });
  });
});

const openssl = findTool("openssl");

describe.skipIf(openssl === undefined)("HTTPS and basic auth", () => {
  let certs: TestCerts;
  let simulator: RunningSimulator;
  let running: RunningExporter;
  let agent: Agent;

  const start = async (web: WebConfig) => {
    const { logger } = captureLogger();
    return startExporter(testConfig(simulator.url), logger, "127.0.0.1:0", { web });
  };
  const load = async (text: string) => {
    const loaded = await loadWebConfig(await webFile("tls.yml", text));
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join("\n"));
    return loaded.config;
  };
  const get = async (path: string, user?: string, password?: string, via = agent) => {
    const authorization =
      user === undefined ? undefined : `Basic ${btoa(`${user}:${password}`)}`;
    const started = performance.now();
    const response = await request(`${running.listening.url}${path}`, {
      dispatcher: via,
      headers: authorization === undefined ? {} : { authorization },
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: await response.body.text(),
      ms: performance.now() - started,
    };
  };

  beforeAll(async () => {
    certs = makeCerts(openssl ?? "openssl", dir);
    simulator = await startSimulator();
    const web = await load(
      [
        "tls_server_config:",
        `  cert_file: ${certs.serverCert}`,
        `  key_file: ${certs.serverKey}`,
        "basic_auth_users:",
        `  alice: "${hash}"`,
      ].join("\n"),
    );
    running = await start(web);
    agent = new Agent({ connect: { ca: certs.caCert } });
  });

  afterAll(async () => {
    await agent.close();
    await running.stop();
    await simulator.close();
  });

  test("serves HTTPS with the configured certificate", async () => {
    expect(running.listening.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    expect((await get("/metrics", "alice", PASSWORD)).status).toBe(200);
  });

  test.each(["/metrics", "/-/healthy", "/config", "/nowhere"])(
    "%s without credentials answers 401 with a Basic challenge",
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toBe('Basic realm="vobiz-exporter"');
    },
  );

  test("a wrong password and an unknown user get the same answer in similar time", async () => {
    await get("/metrics", "alice", "warm-up");
    const wrong = await get("/metrics", "alice", "wrong");
    const unknown = await get("/metrics", "mallory", PASSWORD);

    expect(unknown.status).toBe(401);
    expect({ ...unknown.headers, date: "" }).toEqual({ ...wrong.headers, date: "" });
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.body).not.toContain("alice");
    // Both pay for one bcrypt comparison; the unknown user is not answered at once.
    expect(unknown.ms).toBeGreaterThan(wrong.ms / 4);
  });

  test("the right credentials work again from the cache", async () => {
    expect((await get("/-/healthy", "alice", PASSWORD)).status).toBe(200);
    const again = await get("/-/healthy", "alice", PASSWORD);
    expect(again).toMatchObject({ status: 200, body: "Healthy\n" });
  });

  test("RequireAndVerifyClientCert refuses clients without a certificate signed by the CA", async () => {
    const strict = await start(
      await load(
        [
          "tls_server_config:",
          `  cert_file: ${certs.serverCert}`,
          `  key_file: ${certs.serverKey}`,
          `  client_ca_file: ${certs.caFile}`,
          "  client_auth_type: RequireAndVerifyClientCert",
        ].join("\n"),
      ),
    );
    const withCert = new Agent({
      connect: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey },
    });
    const url = `${strict.listening.url}/-/healthy`;
    try {
      const ok = await request(url, { dispatcher: withCert });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
      await expect(request(url, { dispatcher: agent })).rejects.toThrow();
    } finally {
      await withCert.close();
      await strict.stop();
    }
  });
});

describe("vobiz-exporter --web.config.file", () => {
  test("exits 1 before serving when the web config is bad, naming each problem", async () => {
    const config = await webFile(
      "exporter.yml",
      'accounts:\n  - auth_id: MA_1\n    auth_token: t0ken\n    numbers: ["+919876543210"]\n',
    );
    const web = await webFile(
      "bad-web.yml",
      "basic_auth_users:\n  alice: nope\nhttp2: true\n",
    );

    const result = spawnSync(
      process.execPath,
      [
        "dist/main.js",
        `--config.file=${config}`,
        `--web.config.file=${web}`,
        "--web.listen-address=127.0.0.1:0",
      ],
      { encoding: "utf8", timeout: 20_000 },
    );

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${web}:2:10: basic_auth_users.alice: not a bcrypt hash`,
    );
    expect(result.stderr).toContain(`${web}:3:1: http2: unknown key "http2"`);
    expect(result.stdout).not.toContain("exporter listening");
  });
});
