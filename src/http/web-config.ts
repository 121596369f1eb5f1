import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { createSecureContext } from "node:tls";

import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";

import { formatPath, type KeyPath } from "../config/path.js";
import type { ConfigProblem } from "../config/problems.js";
import { yamlSyntaxMessage } from "../config/yaml-error.js";

/** How a TLS server treats client certificates, as in the exporter toolkit. */
export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
} as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;

/** TLS settings with the PEM files already read. */
export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly clientAuthType: ClientAuthType;
  readonly minVersion?: (typeof TLS_VERSIONS)[TlsVersionName];
  readonly maxVersion?: (typeof TLS_VERSIONS)[TlsVersionName];
}

/** The validated `--web.config.file`: TLS, basic-auth users and extra response headers. */
export interface WebConfig {
  readonly tls?: TlsSettings;
  /** User name to bcrypt hash; empty when basic auth is off. */
  readonly users: ReadonlyMap<string, string>;
  readonly headers: Readonly<Record<string, string>>;
}

/** A valid web configuration, or every problem found in the file. */
export type WebConfigResult =
  { ok: true; config: WebConfig } | { ok: false; problems: ConfigProblem[] };

// $2a$, $2b$ or $2y$, a two-digit cost, then 22 characters of salt and 31 of hash.
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const VERIFYING: readonly ClientAuthType[] = [
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
];

const path = z.string({ error: "expected a file path" }).min(1, "must not be empty");
const version = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName], {
  error: `must be one of ${Object.keys(TLS_VERSIONS).join(", ")}`,
});

const tlsSchema = z
  .strictObject(
    {
      cert_file: path,
      key_file: path,
      client_ca_file: path.optional(),
      client_auth_type: z
        .enum(CLIENT_AUTH_TYPES, {
          error: `must be one of ${CLIENT_AUTH_TYPES.join(", ")}`,
        })
        .default("NoClientCert"),
      min_version: version.optional(),
      max_version: version.optional(),
    },
    { error: "expected a mapping" },
  )
  .superRefine((tls, ctx) => {
    if (VERIFYING.includes(tls.client_auth_type) && tls.client_ca_file === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["client_auth_type"],
        message: `${tls.client_auth_type} needs client_ca_file`,
      });
    }
    if (tls.client_ca_file !== undefined && tls.client_auth_type === "NoClientCert") {
      ctx.addIssue({
        code: "custom",
        path: ["client_ca_file"],
        message: "client_ca_file is set but client_auth_type is NoClientCert",
      });
    }
  });

const schema = z.strictObject(
  {
    tls_server_config: tlsSchema.optional(),
    http_server_config: z
      .strictObject(
        {
          // Accepted for compatibility; node:https serves HTTP/1.1 only.
          http2: z.boolean({ error: "must be true or false" }).optional(),
          headers: z
            .record(z.string(), z.string({ error: "expected a string" }))
            .optional(),
        },
        { error: "expected a mapping" },
      )
      .optional(),
    basic_auth_users: z
      .record(
        z.string().regex(/^[^:]+$/, "a user name must not be empty or contain ':'"),
        z.string({ error: "expected a bcrypt hash" }).regex(BCRYPT_HASH, {
          message: "not a bcrypt hash ($2a$, $2b$ or $2y$ followed by cost and hash)",
        }),
        { error: "expected a mapping of user names to bcrypt hashes" },
      )
      .optional(),
  },
  { error: "expected a mapping" },
);

type RawWebConfig = z.output<typeof schema>;

/**
 * Reads and validates an exporter-toolkit `web-config.yml`, reading the certificate,
 * key and CA files it names (relative paths from the file's folder). Never throws for
 * bad input; problems never quote a password hash.
 */
export async function loadWebConfig(file: string): Promise<WebConfigResult> {
  const problem = (at: Position, key: KeyPath, message: string): ConfigProblem => ({
    file,
    ...at,
    path: formatPath(key),
    message,
  });

  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    const message = `cannot read the web configuration file: ${code}`;
    return { ok: false, problems: [problem(START, [], message)] };
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) =>
      problem(lines.linePos(error.pos[0]), [], yamlSyntaxMessage(error)),
    );
    return { ok: false, problems };
  }

  const at = (key: KeyPath): Position => positionOf(doc, lines, key);
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      issueProblems(issue, doc, lines, problem),
    );
    return { ok: false, problems };
  }
  return withFiles(parsed.data, dirname(file), (key, message) =>
    problem(at(key), key, message),
  );
}

interface Position {
  readonly line: number;
  readonly col: number;
}

const START: Position = { line: 1, col: 1 };

function issueProblems(
  issue: z.core.$ZodIssue,
  doc: YamlDocument,
  lines: LineCounter,
  problem: (at: Position, key: KeyPath, message: string) => ConfigProblem,
): ConfigProblem[] {
  const key = issue.path as KeyPath;
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((name) => {
      const at = keyPositionOf(doc, lines, key, name);
      return problem(at, [...key, name], `unknown key "${name}"`);
    });
  }
  if (issue.code === "invalid_type" && key.length > 0 && !doc.hasIn(key)) {
    const missing = String(key[key.length - 1]);
    const parent = key.slice(0, -1);
    const at = positionOf(doc, lines, parent);
    return [problem(at, parent, `missing required key "${missing}"`)];
  }
  return [problem(positionOf(doc, lines, key), key, issue.message)];
}

type YamlDocument = ReturnType<typeof parseDocument>;

/** Where the node at `key` starts, or where its nearest existing parent does. */
function positionOf(doc: YamlDocument, lines: LineCounter, key: KeyPath): Position {
  for (let depth = key.length; depth >= 0; depth--) {
    const node = doc.getIn(key.slice(0, depth), true) as { range?: number[] } | undefined;
    const offset = node?.range?.[0];
    if (offset !== undefined) return lines.linePos(offset);
  }
  return START;
}

/** Where the key `name` of the mapping at `parent` is written. */
function keyPositionOf(
  doc: YamlDocument,
  lines: LineCounter,
  parent: KeyPath,
  name: string,
): Position {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === name);
    const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
    if (offset !== undefined) return lines.linePos(offset);
  }
  return positionOf(doc, lines, parent);
}

async function withFiles(
  raw: RawWebConfig,
  baseDir: string,
  problem: (key: KeyPath, message: string) => ConfigProblem,
): Promise<WebConfigResult> {
  const users = new Map(Object.entries(raw.basic_auth_users ?? {}));
  const headers = raw.http_server_config?.headers ?? {};
  const tls = raw.tls_server_config;
  if (tls === undefined) return { ok: true, config: { users, headers } };

  const problems: ConfigProblem[] = [];
  const read = async (name: "cert_file" | "key_file" | "client_ca_file") => {
    const file = tls[name];
    if (file === undefined) return undefined;
    try {
      return await readFile(resolve(baseDir, file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
      problems.push(problem(["tls_server_config", name], `cannot read ${file}: ${code}`));
      return undefined;
    }
  };
  const [cert, key, ca] = await Promise.all([
    read("cert_file"),
    read("key_file"),
    read("client_ca_file"),
  ]);
  if (cert === undefined || key === undefined || problems.length > 0) {
    // The reads finish in any order; report the problems in the file's order.
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    return { ok: false, problems };
  }

  const settings: TlsSettings = {
    cert,
    key,
    ...(ca === undefined ? {} : { ca }),
    clientAuthType: tls.client_auth_type,
    ...(tls.min_version === undefined
      ? {}
      : { minVersion: TLS_VERSIONS[tls.min_version] }),
    ...(tls.max_version === undefined
      ? {}
      : { maxVersion: TLS_VERSIONS[tls.max_version] }),
  };
  try {
    createSecureContext(settings);
  } catch (error) {
    // OpenSSL's reason names the mismatch or the bad PEM, never the key material.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problems: [
        problem(["tls_server_config"], `unusable certificate or key: ${reason}`),
      ],
    };
  }
  return { ok: true, config: { tls: settings, users, headers } };
}
