import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { List, Node, nodeReady } from "./k8s-types";
import { Kubectl } from "./kubectl";
import { LabPki } from "./pki";

/** GET a URL on loopback; resolves with the status code and body. */
function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  const client = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { ...options, timeout: 3000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout on ${url}`)));
    req.on("error", reject);
  });
}

export async function etcdHealthy(port: number): Promise<true | undefined> {
  const r = await get(`http://127.0.0.1:${port}/health`);
  return r.status === 200 && r.body.includes('"health":"true"') ? true : undefined;
}

/** /readyz with the admin client certificate, verifying the serving certificate against the lab CA. */
export async function apiserverReady(port: number, pki: LabPki): Promise<true | undefined> {
  const r = await get(`https://127.0.0.1:${port}/readyz`, {
    ca: fs.readFileSync(pki.caCert),
    cert: fs.readFileSync(pki.adminCert),
    key: fs.readFileSync(pki.adminKey),
  });
  return r.status === 200 ? true : undefined;
}

/** A controller (kube-controller-manager, kube-scheduler) is working once it holds its leader lease. */
export async function leaseHeld(kubectl: Kubectl, name: string): Promise<true | undefined> {
  const r = await kubectl.run([
    "get",
    "lease",
    name,
    "-n",
    "kube-system",
    "-o",
    "jsonpath={.spec.holderIdentity}",
  ]);
  return r.code === 0 && r.stdout.trim() !== "" ? true : undefined;
}

export async function nodesReady(kubectl: Kubectl, names: string[]): Promise<true | undefined> {
  const nodes = await kubectl.json<List<Node>>(["get", "nodes"]);
  const ready = new Set(nodes.items.filter((n) => nodeReady(n) === "True").map((n) => n.metadata.name));
  return names.every((n) => ready.has(n)) ? true : undefined;
}

interface WorkloadStatus {
  kind: string;
  metadata: { name: string; namespace: string };
  spec: { replicas?: number };
  status?: {
    readyReplicas?: number;
    numberReady?: number;
    desiredNumberScheduled?: number;
  };
}

/** Names of Deployments, StatefulSets and DaemonSets whose pods are not all Ready yet. */
export async function unreadyWorkloads(kubectl: Kubectl): Promise<string[]> {
  const list = await kubectl.json<List<WorkloadStatus>>(["get", "deployments,statefulsets,daemonsets", "-A"]);
  return list.items
    .filter((w) => {
      const s = w.status ?? {};
      if (w.kind === "DaemonSet")
        return !s.desiredNumberScheduled || s.numberReady !== s.desiredNumberScheduled;
      return (s.readyReplicas ?? 0) !== (w.spec.replicas ?? 1);
    })
    .map((w) => `${w.kind}/${w.metadata.namespace}/${w.metadata.name}`);
}
