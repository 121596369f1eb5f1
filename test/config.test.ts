import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";

import { describe, expect, test } from "vitest";

import { formatProblem, loadConfig, parseConfig } from "../src/config/load.js";
import type { LoadResult } from "../src/config/load.js";
import type { ExporterConfig } from "../src/config/types.js";

const FIXTURES = fileURLToPath(new URL("fixtures/config/", import.meta.url));
const SHIPPED = fileURLToPath(new URL("../exporter.yml", import.meta.url));
const ENV = { VOBIZ_AUTH_ID: "MA_TESTACCOUNT", VOBIZ_AUTH_TOKEN: "env-token-4f9c2e" };

/** Every problem of a result as the `--config.check` lines, file names without folders. */
function lines(result: LoadResult): string[] {
  if (result.ok) return [];
  return result.problems.map((p) => formatProblem({ ...p, file: basename(p.file) }));
}

function fixture(name: string): Promise<LoadResult> {
  return loadConfig(join(FIXTURES, name), ENV);
}

function expectOk(result: LoadResult): ExporterConfig {
  expect(lines(result)).toEqual([]);
  if (!result.ok) throw new Error("unreachable");
  return result.config;
}

describe("loadConfig with one bad file per rule", () => {
  test.each([
    [
      "bad-e164.yml",
      'bad-e164.yml:6:17: accounts[0].numbers[1].number: not an E.164 number: "+" then 2 to 15 digits, the first not 0 (got "+0919812345678")',
    ],
    [
      "unquoted-number.yml",
      'unquoted-number.yml:5:9: accounts[0].numbers[0]: write the number in quotes, as "+919876543210"; unquoted, YAML reads it as an integer (got 919876543210)',
    ],
    [
      "unknown-key-top.yml",
      'unknown-key-top.yml:1:1: listen_adress: unknown key "listen_adress"; did you mean "listen_address"?',
    ],
    [
      "unknown-key-nested.yml",
      'unknown-key-nested.yml:2:3: api.timout: unknown key "timout"; did you mean "timeout"?',
    ],
    [
      "unknown-key-number.yml",
      'unknown-key-number.yml:6:9: accounts[0].numbers[0].team: unknown key "team"; expected one of number, labels',
    ],
    [
      "bad-duration.yml",
      'bad-duration.yml:2:8: cache.ttl: not a duration; write a number and a unit, such as 500ms, 10s or 1h30m (got "10 seconds")',
    ],
    [
      "zero-timeout.yml",
      'zero-timeout.yml:2:12: api.timeout: must be longer than 0 (got "0s")',
    ],
    [
      "bad-bytes.yml",
      'bad-bytes.yml:2:23: api.max_response_bytes: not a size; write bytes, or a number and a unit such as 512KiB or 8MiB (got "8 megabytes")',
    ],
    [
      "missing-env.yml",
      'missing-env.yml:3:17: accounts[0].auth_token: environment variable "VOBIZ_NOT_SET" is not set',
    ],
    [
      "malformed-env.yml",
      'malformed-env.yml:4:21: accounts[0].labels.cost: malformed reference "${1X}"; write ${NAME}, or $$ for a literal $',
    ],
    [
      "unreadable-token.yml",
      'unreadable-token.yml:3:22: accounts[0].auth_token_file: cannot read token file "no-such-token.txt": ENOENT',
    ],
    [
      "empty-token-file.yml",
      'empty-token-file.yml:3:22: accounts[0].auth_token_file: token file "empty-token.txt" is empty',
    ],
    [
      "empty-token.yml",
      "empty-token.yml:3:17: accounts[0].auth_token: must not be empty (got <secret>)",
    ],
    [
      "newline-token.yml",
      "newline-token.yml:3:17: accounts[0].auth_token: holds a line break, another control character or a character beyond Latin-1, which no HTTP header can carry",
    ],
    [
      "non-latin1-token.yml",
      "non-latin1-token.yml:3:17: accounts[0].auth_token: holds a line break, another control character or a character beyond Latin-1, which no HTTP header can carry",
    ],
    [
      "newline-token-file.yml",
      'newline-token-file.yml:3:22: accounts[0].auth_token_file: token in "newline-token.txt" holds a line break, another control character or a character beyond Latin-1, which no HTTP header can carry',
    ],
    [
      "label-clash.yml",
      'label-clash.yml:6:19: accounts[0].numbers[0].labels.number: label "number" clashes with a label the exporter sets; rename it',
    ],
    [
      "label-reserved-prefix.yml",
      'label-reserved-prefix.yml:5:7: accounts[0].labels.__meta_team: label name "__meta_team" starts with "__", which Prometheus reserves for itself',
    ],
    [
      "label-bad-name.yml",
      'label-bad-name.yml:5:7: accounts[0].labels.team-name: label name "team-name" is not valid; use letters, digits and _, not starting with a digit',
    ],
    [
      "label-value-number.yml",
      "label-value-number.yml:5:13: accounts[0].labels.tier: label value must be a string; put it in quotes (got 1)",
    ],
    [
      "duplicate-key.yml",
      "duplicate-key.yml:3:3: (root): duplicate key; a key may appear only once in a mapping",
    ],
    [
      "both-tokens.yml",
      "both-tokens.yml:4:5: accounts[0].auth_token_file: set auth_token or auth_token_file, not both",
    ],
    [
      "neither-token.yml",
      "neither-token.yml:2:5: accounts[0]: needs auth_token or auth_token_file",
    ],
    [
      "missing-auth-id.yml",
      'missing-auth-id.yml:2:5: accounts[0]: missing required key "auth_id"',
    ],
    [
      "duplicate-number.yml",
      'duplicate-number.yml:7:17: accounts[0].numbers[2].number: duplicate number; also at accounts[0].numbers[0] (got "+919876543210")',
    ],
    [
      "duplicate-account.yml",
      'duplicate-account.yml:5:14: accounts[1].auth_id: duplicate account name "MA_1", also used by accounts[0] (name defaults to auth_id)',
    ],
    [
      "no-numbers.yml",
      "no-numbers.yml:2:5: accounts[0]: lists no numbers; add some under numbers, or set discover.enabled: true",
    ],
    ["no-accounts.yml", "no-accounts.yml:1:11: accounts: must list at least one account"],
    [
      "missing-accounts.yml",
      'missing-accounts.yml:1:1: (root): missing required key "accounts"',
    ],
    [
      "empty.yml",
      "empty.yml:1:1: (root): the file is empty; it needs at least an accounts list",
    ],
    [
      "bad-granularity.yml",
      'bad-granularity.yml:2:16: health.granularity: must be one of daily, hourly (got "weekly")',
    ],
    [
      "bad-answer-rate-unit.yml",
      'bad-answer-rate-unit.yml:2:21: health.answer_rate_unit: must be one of auto, ratio, percent (got "percentage")',
    ],
    [
      "max-concurrency.yml",
      "max-concurrency.yml:2:20: api.max_concurrency: must be from 1 to 1024 (got 2000)",
    ],
    [
      "retries-not-integer.yml",
      "retries-not-integer.yml:2:12: api.retries: expected an integer from 0 to 10 (got 1.5)",
    ],
    [
      "days-out-of-range.yml",
      "days-out-of-range.yml:2:9: health.days: must be from 1 to 366 (got 400)",
    ],
    [
      "bad-base-url.yml",
      'bad-base-url.yml:2:13: api.base_url: must be an http or https URL (got "ftp://api.vobiz.ai")',
    ],
    [
      // The URL is not shown: its password must not reach a terminal or a log.
      "base-url-credentials.yml",
      "base-url-credentials.yml:2:13: api.base_url: must not hold a user or password (not shown here); use auth_id and auth_token",
    ],
    [
      "bad-listen-address.yml",
      'bad-listen-address.yml:1:17: listen_address: must be "host:port", ":port" or "[IPv6 address]:port", with a port from 1 to 65535 (got ":70000")',
    ],
    [
      "bad-discover-flag.yml",
      'bad-discover-flag.yml:5:16: accounts[0].discover.enabled: must be true or false (got "yes")',
    ],
    [
      "section-not-mapping.yml",
      'section-not-mapping.yml:1:6: api: expected a mapping (got "https://api.vobiz.ai")',
    ],
  ])("%s", async (name, expected) => {
    expect(lines(await fixture(name))).toEqual([expected]);
  });

  test("a YAML syntax error is reported at its own line and column", async () => {
    // Inline rather than a fixture file: Prettier refuses to check broken YAML.
    const text = "api:\n  timeout: 10s\n   retries: 2\naccounts: []\n";
    expect(lines(await parseConfig(text, "syntax-error.yml", ENV))).toEqual([
      "syntax-error.yml:2:12: (root): YAML syntax error: Nested mappings are not allowed in compact mappings",
      "syntax-error.yml:2:12: (root): YAML syntax error: Implicit keys need to be on a single line",
    ]);
  });
});

describe("loadConfig reporting", () => {
  test("reports every problem of a file at once, in file order", async () => {
    expect(lines(await fixture("many-problems.yml"))).toEqual([
      'many-problems.yml:1:17: listen_address: must be "host:port", ":port" or "[IPv6 address]:port", with a port from 1 to 65535 (got "localhost")',
      'many-problems.yml:3:12: api.timeout: not a duration; write a number and a unit, such as 500ms, 10s or 1h30m (got "fast")',
      "many-problems.yml:4:20: api.max_concurrency: must be from 1 to 1024 (got 0)",
      'many-problems.yml:6:16: health.granularity: must be one of daily, hourly (got "weekly")',
      'many-problems.yml:10:15: accounts[0].labels.account: label "account" clashes with a label the exporter sets; rename it',
      'many-problems.yml:12:9: accounts[0].numbers[0]: not an E.164 number: "+" then 2 to 15 digits, the first not 0 (got "12345")',
      'many-problems.yml:14:9: accounts[0].numbers[2]: duplicate number; also at accounts[0].numbers[1] (got "+919876543210")',
      "many-problems.yml:15:5: accounts[1]: needs auth_token or auth_token_file",
      'many-problems.yml:17:5: accounts[1].extra: unknown key "extra"; expected one of name, auth_id, auth_token, auth_token_file, labels, discover, numbers',
    ]);
  });

  test("a configuration file that cannot be read is a problem, not an exception", async () => {
    expect(lines(await fixture("no-such-file.yml"))).toEqual([
      "no-such-file.yml:1:1: (root): cannot read the configuration file: ENOENT",
    ]);
  });

  test("formatProblem leaves out (got …) when no value is known", () => {
    const problem = { file: "f.yml", line: 3, col: 5, path: "api", message: "bad" };
    expect(formatProblem(problem)).toBe("f.yml:3:5: api: bad");
    expect(formatProblem({ ...problem, got: '"x"' })).toBe(
      'f.yml:3:5: api: bad (got "x")',
    );
  });
});

describe("loadConfig results", () => {
  test("applies every default to a minimal file", async () => {
    const config = expectOk(await fixture("minimal.yml"));
    const [account] = config.accounts;

    expect({ ...config, accounts: [] }).toEqual({
      listenAddress: ":9817",
      api: {
        baseUrl: "https://api.vobiz.ai",
        timeoutMs: 10_000,
        maxConcurrency: 16,
        retries: 2,
        maxResponseBytes: 8 * 1024 * 1024,
      },
      health: { granularity: "daily", days: 30, answerRateUnit: "auto" },
      cache: { ttlMs: 60_000 },
      accounts: [],
    });
    expect({ ...account, authToken: account?.authToken.reveal() }).toEqual({
      name: "MA_MINIMAL",
      authId: "MA_MINIMAL",
      authToken: "minimal-token-value",
      labels: {},
      discover: { enabled: false, refreshIntervalMs: 600_000, statuses: ["active"] },
      numbers: [{ number: "+919876543210", labels: {} }],
    });
  });

  test("reads a token file relative to the configuration file, without the trailing newline", async () => {
    const config = expectOk(await fixture("token-file.yml"));
    expect(config.accounts[0]?.authToken.reveal()).toBe("fixture-token-from-file");
  });

  test("the shipped exporter.yml is valid with the two variables set, and matches the defaults", async () => {
    const shipped = expectOk(await loadConfig(SHIPPED, ENV));
    const minimal = expectOk(await fixture("minimal.yml"));

    expect(shipped.listenAddress).toBe(minimal.listenAddress);
    expect(shipped.api).toEqual(minimal.api);
    expect(shipped.health).toEqual(minimal.health);
    expect(shipped.cache).toEqual(minimal.cache);
    expect(shipped.accounts[0]?.discover).toEqual(minimal.accounts[0]?.discover);
    expect(shipped.accounts[0]?.authId).toBe(ENV.VOBIZ_AUTH_ID);
    expect(shipped.accounts[0]?.authToken.reveal()).toBe(ENV.VOBIZ_AUTH_TOKEN);
  });

  test("the shipped exporter.yml names each missing variable", async () => {
    expect(lines(await loadConfig(SHIPPED, {}))).toEqual([
      'exporter.yml:38:14: accounts[0].auth_id: environment variable "VOBIZ_AUTH_ID" is not set',
      'exporter.yml:40:17: accounts[0].auth_token: environment variable "VOBIZ_AUTH_TOKEN" is not set',
    ]);
  });
});

/** A minimal valid account around the given YAML lines (indented as account keys). */
function withAccount(...accountLines: string[]): string {
  return [
    "accounts:",
    "  - auth_id: MA_1",
    ...accountLines.map((line) => `    ${line}`),
    '    numbers: ["+919876543210"]',
    "",
  ].join("\n");
}

describe("parseConfig expansion", () => {
  test("replaces ${VAR} anywhere in a string value, including inside longer text", async () => {
    const text = withAccount(
      "name: ${TEAM}-main",
      "auth_token: tok-${TOKEN}",
      'labels: { region: "${REGION}" }',
    );
    const env = { TEAM: "sales", TOKEN: "abc123", REGION: "" };
    const account = expectOk(await parseConfig(text, "inline.yml", env)).accounts[0];

    expect(account?.name).toBe("sales-main");
    expect(account?.authToken.reveal()).toBe("tok-abc123");
    expect(account?.labels).toEqual({ region: "" });
  });

  test("reads integers, durations and flags from variables", async () => {
    const text = [
      "api:",
      "  max_concurrency: ${CONCURRENCY}",
      "  timeout: ${TIMEOUT}",
      "accounts:",
      "  - auth_id: MA_1",
      "    auth_token: t0k3n",
      "    discover:",
      "      enabled: ${DISCOVER}",
      "",
    ].join("\n");
    const env = { CONCURRENCY: "32", TIMEOUT: "2500ms", DISCOVER: "true" };
    const config = expectOk(await parseConfig(text, "inline.yml", env));

    expect(config.api.maxConcurrency).toBe(32);
    expect(config.api.timeoutMs).toBe(2500);
    expect(config.accounts[0]?.discover.enabled).toBe(true);
    expect(config.accounts[0]?.numbers).toEqual([]);
  });

  test("$$ is a literal $, and a $ without braces is kept as written", async () => {
    const text = withAccount(
      "auth_token: pa$$word",
      "labels: { cost: $$5, home: $HOME }",
    );
    const account = expectOk(await parseConfig(text, "inline.yml", {})).accounts[0];

    expect(account?.authToken.reveal()).toBe("pa$word");
    expect(account?.labels).toEqual({ cost: "$5", home: "$HOME" });
  });

  test("does not expand mapping keys", async () => {
    const text = withAccount("auth_token: t0k3n", 'labels: { "${KEY}": x }');
    expect(lines(await parseConfig(text, "inline.yml", { KEY: "team" }))).toEqual([
      'inline.yml:4:15: accounts[0].labels["${KEY}"]: label name "${KEY}" is not valid; use letters, digits and _, not starting with a digit',
    ]);
  });

  test("reads a token file relative to the working directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vobiz-config-"));
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "file-token-77\r\n");

    const text = withAccount(`auth_token_file: \${TOKEN_FILE}`);
    const config = expectOk(
      await parseConfig(text, "inline.yml", { TOKEN_FILE: tokenFile }),
    );
    expect(config.accounts[0]?.authToken.reveal()).toBe("file-token-77");
  });
});

describe("parseConfig values", () => {
  test.each([
    [":9817", ":9817"],
    ["0.0.0.0:80", "0.0.0.0:80"],
    ["localhost:9817", "localhost:9817"],
    ["[::1]:9817", "[::1]:9817"],
    ["[::]:1", "[::]:1"],
  ])("accepts listen_address %s", async (address, expected) => {
    const text = `listen_address: "${address}"\n${withAccount("auth_token: t0k3n")}`;
    expect(expectOk(await parseConfig(text, "inline.yml", {})).listenAddress).toBe(
      expected,
    );
  });

  test.each([":0", "9817", "host:", "::1:9817", "[::1]", "host:port"])(
    "refuses listen_address %s",
    async (address) => {
      const text = `listen_address: "${address}"\n${withAccount("auth_token: t0k3n")}`;
      const result = await parseConfig(text, "inline.yml", {});
      expect(lines(result)).toEqual([
        `inline.yml:1:17: listen_address: must be "host:port", ":port" or "[IPv6 address]:port", with a port from 1 to 65535 (got "${address}")`,
      ]);
    },
  );

  test("strips trailing slashes from base_url and keeps a path prefix", async () => {
    const text = `api: { base_url: "http://vobiz.internal:8080/proxy//" }\n${withAccount("auth_token: t0k3n")}`;
    const config = expectOk(await parseConfig(text, "inline.yml", {}));
    expect(config.api.baseUrl).toBe("http://vobiz.internal:8080/proxy");
  });

  test("takes the number form with labels, and an explicit account name", async () => {
    const text = [
      "accounts:",
      "  - name: sales",
      "    auth_id: SA_2",
      "    auth_token: t0k3n",
      "    labels: { region: south }",
      "    numbers:",
      '      - number: "+14155550100"',
      "        labels: { team: inbound }",
      "",
    ].join("\n");
    const account = expectOk(await parseConfig(text, "inline.yml", {})).accounts[0];

    expect(account?.name).toBe("sales");
    expect(account?.labels).toEqual({ region: "south" });
    expect(account?.numbers).toEqual([
      { number: "+14155550100", labels: { team: "inbound" } },
    ]);
  });

  test("an empty value means the default", async () => {
    const text = `api:\ncache:\n  ttl:\n${withAccount("auth_token: t0k3n", "labels:")}`;
    const config = expectOk(await parseConfig(text, "inline.yml", {}));
    expect(config.api.timeoutMs).toBe(10_000);
    expect(config.cache.ttlMs).toBe(60_000);
    expect(config.accounts[0]?.labels).toEqual({});
  });

  test("cache.ttl: 0 disables the cache, written bare or as a string", async () => {
    for (const ttl of ["0", '"0"', "0s"]) {
      const text = `cache: { ttl: ${ttl} }\n${withAccount("auth_token: t0k3n")}`;
      expect(expectOk(await parseConfig(text, "inline.yml", {})).cache.ttlMs).toBe(0);
    }
  });
});

describe("secrets in problems", () => {
  const TOKENS = [
    "424242424242",
    "hidden-token-in-a-list",
    "env-token-4f9c2e",
    "env-token-typo",
  ];

  test("no token appears in any problem, and <secret> stands where one would be shown", async () => {
    const result = await fixture("secret-leak.yml");
    const output = lines(result).join("\n");

    expect(lines(result)).toEqual([
      "secret-leak.yml:3:17: accounts[0].auth_token: expected a string; put the value in quotes (got <secret>)",
      "secret-leak.yml:6:17: accounts[1].auth_token: expected a string (got <secret>)",
      'secret-leak.yml:8:14: accounts[2].auth_id: duplicate account name "MA_1", also used by accounts[0] (name defaults to auth_id)',
      'secret-leak.yml:10:5: accounts[2].auth_tokn: unknown key "auth_tokn"; did you mean "auth_token"?',
    ]);
    for (const token of TOKENS) expect(output).not.toContain(token);
    expect(JSON.stringify(result)).not.toMatch(new RegExp(TOKENS.join("|")));
  });

  test("a token read from a file never shows in problems of that account", async () => {
    const text = withAccount(
      "auth_token_file: test/fixtures/config/token.txt",
      "labels: { x: 1 }",
    );
    const result = await parseConfig(text, "inline.yml", {});

    expect(lines(result)).toEqual([
      "inline.yml:4:18: accounts[0].labels.x: label value must be a string; put it in quotes (got 1)",
    ]);
    expect(JSON.stringify(result)).not.toContain("fixture-token-from-file");
  });

  test("a valid configuration prints its tokens as <secret>", async () => {
    const config = expectOk(await loadConfig(SHIPPED, ENV));

    for (const printed of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      expect(printed).not.toContain(ENV.VOBIZ_AUTH_TOKEN);
      expect(printed).toContain("<secret>");
    }
  });
});

describe("parseConfig syntax errors", () => {
  test("an unquoted ${VAR} in a flow mapping gets a hint to quote it", async () => {
    const text = withAccount("auth_token: t0k3n", "labels: { region: ${REGION} }");
    const [first] = lines(await parseConfig(text, "inline.yml", { REGION: "south" }));
    expect(first).toBe(
      'inline.yml:4:24: (root): YAML syntax error: inside {…} or […], write ${VAR} in quotes, as "${VAR}"',
    );
  });

  test("an invalid escape in a quoted token is told without the token's characters", async () => {
    const text = withAccount('auth_token: "\\UABCDEFGH-rest-of-token"');
    const [first] = lines(await parseConfig(text, "inline.yml", {}));

    expect(first).toBe(
      "inline.yml:3:18: (root): YAML syntax error: invalid escape sequence in a " +
        "double-quoted string; write a backslash as \\\\, or quote the value with single quotes",
    );
    expect(first).not.toContain("ABCD");
  });

  test("shows the first five YAML errors and counts the rest", async () => {
    const text = "api: { a: ${A}, b: ${B}, c: ${C} }\naccounts: []\n";
    const problems = lines(await parseConfig(text, "inline.yml", {}));
    expect(problems).toHaveLength(6);
    expect(problems[5]).toMatch(
      /^inline\.yml:\d+:\d+: \(root\): \d+ more YAML error\(s\) not shown/,
    );
  });
});
