import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { describe, expect, test } from "vitest";
import { parse, parseAllDocuments } from "yaml";

import { loadConfig } from "../src/config/load.js";

const ROOT = resolve(import.meta.dirname, "..");
const DIR = join(ROOT, "deploy/kubernetes");
const ALERTS = join(ROOT, "prometheus/alerts.yml");

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function manifests(): Map<string, Manifest> {
  const byKind = new Map<string, Manifest>();
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".yaml"))) {
    if (file === "kustomization.yaml") continue;
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), "utf8"))) {
      expect(doc.errors, file).toEqual([]);
      const manifest = doc.toJS() as Manifest;
      byKind.set(manifest.kind as string, manifest);
    }
  }
  return byKind;
}

const byKind = manifests();
const get = (kind: string): Manifest => {
  const manifest = byKind.get(kind);
  if (manifest === undefined) throw new Error(`no ${kind} in deploy/kubernetes`);
  return manifest;
};

describe("Kubernetes manifests", () => {
  test("every file parses, and the kustomization lists every manifest", () => {
    const kustomization = parse(
      readFileSync(join(DIR, "kustomization.yaml"), "utf8"),
    ) as {
      resources: string[];
    };
    const files = readdirSync(DIR).filter(
      (f) => f.endsWith(".yaml") && f !== "kustomization.yaml",
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect([...byKind.keys()].sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "PrometheusRule",
      "Secret",
      "Service",
      "ServiceMonitor",
    ]);
    for (const manifest of byKind.values()) {
      expect(manifest.metadata?.name).toBe("vobiz-exporter");
    }
  });

  test("the Deployment runs as non-root with probes, resources and its config and token mounted", () => {
    const pod = get("Deployment").spec.template.spec;
    const [container] = pod.containers as Manifest[];

    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container?.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container?.livenessProbe.httpGet.path).toBe("/-/healthy");
    expect(container?.readinessProbe.httpGet.path).toBe("/-/ready");
    expect(container?.resources.requests).toMatchObject({ cpu: expect.any(String) });
    expect(container?.resources.limits.memory).toEqual(expect.any(String));

    const mounts = new Map(
      (container?.volumeMounts as Manifest[]).map((m) => [m.name, m.mountPath]),
    );
    expect(container?.args).toContain(
      `--config.file=${mounts.get("config")}/exporter.yml`,
    );
    const config = get("ConfigMap").data["exporter.yml"] as string;
    expect(config).toContain(`auth_token_file: ${mounts.get("token")}/auth_token`);
    expect(config).not.toContain("auth_token:");
  });

  test("the ConfigMap's exporter.yml is a valid configuration", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vobiz-k8s-"));
    try {
      await writeFile(join(dir, "auth_token"), "token-from-the-secret\n");
      const text = (get("ConfigMap").data["exporter.yml"] as string).replace(
        "/run/secrets/vobiz/auth_token",
        join(dir, "auth_token"),
      );
      await writeFile(join(dir, "exporter.yml"), text);

      const loaded = await loadConfig(join(dir, "exporter.yml"), {
        VOBIZ_AUTH_ID: "MA_K8S",
      });
      expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the Service and the ServiceMonitor select the pods and the metrics port", () => {
    const service = get("Service");
    const monitor = get("ServiceMonitor");
    const podLabels = get("Deployment").spec.template.metadata.labels;

    expect(podLabels).toMatchObject(service.spec.selector);
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports[0].name).toBe(monitor.spec.endpoints[0].port);
    expect(monitor.spec.endpoints[0].path).toBe("/metrics");
  });
});

describe.skipIf(!existsSync(ALERTS))("the PrometheusRule", () => {
  test("holds exactly prometheus/alerts.yml's groups", () => {
    const alerts = parse(readFileSync(ALERTS, "utf8")) as { groups: unknown[] };
    expect(alerts.groups.length).toBeGreaterThan(0);
    expect(get("PrometheusRule").spec.groups).toEqual(alerts.groups);
  });

  test("is what scripts/build-prometheusrule.mjs writes today", () => {
    const check = spawnSync(
      process.execPath,
      [join(ROOT, "scripts/build-prometheusrule.mjs"), "--check"],
      { encoding: "utf8" },
    );
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});
