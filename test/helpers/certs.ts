import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** PEM files made for a test: a CA, a server certificate for 127.0.0.1 and a client's. */
export interface TestCerts {
  readonly caCert: Buffer;
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
}

const LEAVES = [
  ["server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
  ["client", "/CN=prometheus", "extendedKeyUsage=clientAuth"],
] as const;

/** Makes a throw-away CA and certificates in `dir` with the `openssl` binary at `openssl`. */
export function makeCerts(openssl: string, dir: string): TestCerts {
  const run = (args: string) =>
    execFileSync(openssl, args.split(" "), { cwd: dir, stdio: "pipe" });
  const file = (name: string) => join(dir, name);

  run(
    "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca -keyout ca.key -out ca.pem",
  );
  for (const [name, subject, extension] of LEAVES) {
    writeFileSync(file(`${name}.ext`), `${extension}\n`);
    run(
      `req -newkey rsa:2048 -nodes -subj ${subject} -keyout ${name}.key -out ${name}.csr`,
    );
    run(
      `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1` +
        ` -extfile ${name}.ext -out ${name}.pem`,
    );
  }

  return {
    caCert: readFileSync(file("ca.pem")),
    caFile: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    clientCert: readFileSync(file("client.pem")),
    clientKey: readFileSync(file("client.key")),
  };
}
