// No Docker engine runs where these tests do, so the image's runtime stage is
// rebuilt by hand from the Dockerfile's own steps: production dependencies only,
// the compiled dist/, the shipped exporter.yml. Then the exporter runs from that
// folder and the Dockerfile's HEALTHCHECK command is run against it, proving that
// nothing at run time needs a devDependency.
import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { freePort, isUp, startChild, waitFor } from "./helpers/processes.js";

const ROOT = resolve(import.meta.dirname, "..");

/** The HEALTHCHECK's exec-form command, from the Dockerfile. */
async function healthcheckCommand(): Promise<string[]> {
  const dockerfile = (await readFile(join(ROOT, "Dockerfile"), "utf8")).replace(
    /\\\n/g,
    " ",
  );
  const match = /^HEALTHCHECK .*?CMD (\[.*\])\s*$/m.exec(dockerfile);
  if (match?.[1] === undefined)
    throw new Error("the Dockerfile has no exec-form HEALTHCHECK");
  return JSON.parse(match[1]) as string[];
}

describe("the Docker image's runtime stage, built outside Docker", () => {
  let app: string;

  beforeAll(async () => {
    app = await mkdtemp(join(tmpdir(), "vobiz-image-"));
    for (const file of ["package.json", "package-lock.json"]) {
      await cp(join(ROOT, file), join(app, file));
    }
    const install = spawnSync(
      "npm",
      ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"],
      { cwd: app, encoding: "utf8", timeout: 240_000 },
    );
    expect(install.status, install.stderr).toBe(0);
    await cp(join(ROOT, "dist"), join(app, "dist"), { recursive: true });
    await cp(join(ROOT, "exporter.yml"), join(app, "exporter.yml"));
  }, 300_000);

  afterAll(async () => {
    if (app) await rm(app, { recursive: true, force: true });
  });

  test("holds no devDependency", async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    const installed = spawnSync("npm", ["ls", "--omit=dev", "--depth=0", "--json"], {
      cwd: app,
      encoding: "utf8",
    });
    const top = Object.keys(
      (JSON.parse(installed.stdout) as { dependencies?: object }).dependencies ?? {},
    );
    for (const dev of Object.keys(manifest.devDependencies))
      expect(top).not.toContain(dev);
  });

  test("checks the shipped exporter.yml", () => {
    const check = spawnSync(
      process.execPath,
      ["dist/main.js", "--config.check", "--config.file=exporter.yml"],
      {
        cwd: app,
        encoding: "utf8",
        env: {
          ...process.env,
          NODE_ENV: "production",
          VOBIZ_AUTH_ID: "MA_X",
          VOBIZ_AUTH_TOKEN: "t",
        },
      },
    );
    expect(check.status, check.stderr).toBe(0);
  });

  test("serves the demo, passes its HEALTHCHECK, and stops on SIGTERM", async () => {
    const port = await freePort();
    const demo = startChild(
      process.execPath,
      [join(app, "dist/main.js"), "demo", `--web.listen-address=127.0.0.1:${port}`],
      { ...process.env, NODE_ENV: "production" },
    );
    try {
      await waitFor("the demo", () => isUp(`http://127.0.0.1:${port}/-/ready`));
      const [command, ...args] = (await healthcheckCommand()).map((part) =>
        part.replace("127.0.0.1:9817", `127.0.0.1:${port}`),
      );
      expect(command).toBe("node");

      const check = spawnSync(process.execPath, args, {
        encoding: "utf8",
        timeout: 10_000,
      });
      expect(check.status, check.stderr).toBe(0);
    } finally {
      expect(await demo.stop()).toBe(0);
    }
  });

  test("the HEALTHCHECK fails when nothing serves", async () => {
    const port = await freePort();
    const [, ...args] = (await healthcheckCommand()).map((part) =>
      part.replace("127.0.0.1:9817", `127.0.0.1:${port}`),
    );
    expect(spawnSync(process.execPath, args, { timeout: 10_000 }).status).toBe(1);
  });
});
