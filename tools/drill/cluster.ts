/**
 * The drilled cluster as the stack knows it: its config (with the secrets the stages get), the
 * node's VM and data volume from the stack's state, and clients for Kubernetes, Cloudera Manager
 * and Nova built from the same settings the stages use. Reads only.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import { CmClient } from "../../components/cloudera/client";
import { CmOperations } from "../../components/cloudera/operations";
import { PROVIDER_KEYS, PROVIDER_SECRETS, readCaBundle } from "../../components/config/load";
import type { ClusterConfig, NodeConfig } from "../../components/config/types";
import { OBJECT_KEYS, SECRET_KEYS, validateClusterConfig } from "../../components/config/validate";
import { kubeconfigPath } from "../../components/kube/context";
import { Kubectl } from "../../components/kube/kubectl";
import { clusterFacts, type ClusterNode, type PeerSsh } from "../../components/kube/stageEnv";
import {
  missingCredentials,
  resolveOpenStackAuth,
  type OpenStackAuth,
} from "../../components/openstack/auth";
import type { Machine } from "./observe";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

/** A value of an exported (--show-secrets) deployment: secrets arrive wrapped with their plaintext. */
function plain(v: unknown): unknown {
  if (v && typeof v === "object" && "plaintext" in (v as Record<string, unknown>))
    return JSON.parse((v as { plaintext: string }).plaintext) as unknown;
  return v;
}

export interface DrillCluster {
  stackName: string;
  config: ClusterConfig;
  /** `ecs:nodes` as written in the stack (what the recovery changes). */
  rawNodes: Array<Record<string, unknown>>;
  node: NodeConfig;
  nodeIndex: number;
  clusterNodes: ClusterNode[];
  kubectl: Kubectl;
  cm: CmOperations;
  openstackAuth: OpenStackAuth;
  ssh: PeerSsh;
  /** Every node's VM and data volume, from the stack's state. */
  machines: Machine[];
  /** The node's membership stage output as stored in the state (its recorded cluster identity). */
  membershipStdout?: string;
  /** Hosts of the kubeconfig's API server URLs. */
  apiServerHosts: string[];
  /** Every endpoint (OpenStack, CM, Kubernetes API, the nodes) is on loopback: the embedded lab. */
  isLab: boolean;
}

const isLoopback = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host) || host === "localhost";
const hostOf = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
};

/** The API server URLs of a kubeconfig (every cluster entry), for the lab check. */
function apiServers(kubeconfigText: string): string[] {
  return [...kubeconfigText.matchAll(/^\s*server:\s*(\S+)/gm)].map((m) => m[1].replace(/^["']|["']$/g, ""));
}

/** Every node's VM and data volume as the stack's state holds them (and the state's resources). */
export async function stackMachines(
  stack: Stack,
  config: ClusterConfig,
): Promise<{ machines: Machine[]; resources: StateResource[] }> {
  const deployment = (await stack.exportStack()).deployment as { resources?: StateResource[] };
  const resources = deployment.resources ?? [];
  const byName = (name: string, type: string) =>
    resources.find(
      (r) => r.type === type && r.urn.endsWith(`::${name}`) && !(r as { delete?: boolean }).delete,
    );
  const machines: Machine[] = [];
  for (const n of config.nodes) {
    const vm = byName(`${n.name}-vm`, "openstack:compute/instance:Instance");
    const data = byName(`${n.name}-data`, "openstack:blockstorage/volume:Volume");
    if (!vm?.id || !data?.id)
      throw new Error(
        `stack ${stack.name} holds no VM or data volume for ${n.name}: the drill needs a cluster this stack created. ` +
          `Fix: run pulumi up --stack ${stack.name} first.`,
      );
    machines.push({ name: n.name, hostname: n.hostname, instanceId: vm.id, dataVolumeId: data.id });
  }
  return { machines, resources };
}

/** The drilled node's stack, read through the Automation API (config with secrets, state). */
export async function openDrillCluster(
  stack: Stack,
  nodeName: string,
  tools: { kubectl: string },
): Promise<DrillCluster> {
  const all = await stack.getAllConfig();
  const raw: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [key, v] of Object.entries(all)) {
    if (!key.startsWith("ecs:")) continue;
    const k = key.slice(4);
    if ((SECRET_KEYS as readonly string[]).includes(k)) {
      secrets[k] = v.value;
      raw[k] = "(secret)";
    } else
      raw[k] = (OBJECT_KEYS as readonly string[]).includes(k) ? (JSON.parse(v.value) as unknown) : v.value;
  }
  const config = validateClusterConfig(raw);
  const nodeIndex = config.nodes.findIndex((n) => n.name === nodeName);
  if (nodeIndex < 0)
    throw new Error(
      `--node ${nodeName}: no such node in ecs:nodes of stack ${stack.name}. Fix: use one of ${config.nodes.map((n) => n.name).join(", ")}.`,
    );
  const node = config.nodes[nodeIndex];

  const settings = Object.fromEntries(
    [...PROVIDER_KEYS, ...PROVIDER_SECRETS].map((k) => [k, all[`openstack:${k}`]?.value]),
  );
  const openstackAuth = resolveOpenStackAuth(settings, process.env);
  const missing = missingCredentials(openstackAuth);
  if (missing) throw new Error(missing);
  if (!secrets.cmPassword)
    throw new Error("ecs:cmPassword is not set. Fix: pulumi config set --secret ecs:cmPassword");
  if (!secrets.sshPrivateKey)
    throw new Error("ecs:sshPrivateKey is not set. Fix: pulumi config set --secret ecs:sshPrivateKey < key");

  const kubeconfig = kubeconfigPath(
    { ECS_KUBECONFIG: config.kubernetes.kubeconfigPath },
    {
      kubeconfig: secrets.kubeconfig,
    },
  );
  const caBundle = readCaBundle(config.cloudera.caBundle);
  const client = await CmClient.connect({
    baseUrl: config.cloudera.url,
    username: config.cloudera.username,
    password: secrets.cmPassword,
    caBundle,
    insecureSkipTlsVerify: !config.cloudera.tlsVerify,
    timeoutMs: 10_000,
  });

  const { machines, resources } = await stackMachines(stack, config);
  const membership = resources.find(
    (r) => r.type === "command:local:Command" && r.urn.endsWith(`::${node.name}-k8s-membership`),
  );
  const stdout = plain(membership?.outputs?.stdout);

  const kubeText = fs.existsSync(kubeconfig) ? fs.readFileSync(kubeconfig, "utf8") : "";
  const servers = apiServers(kubeText);
  const isLab =
    isLoopback(hostOf(openstackAuth.authUrl)) &&
    isLoopback(hostOf(config.cloudera.url)) &&
    servers.length > 0 &&
    servers.every((s) => isLoopback(hostOf(s))) &&
    config.nodes.every((n) => isLoopback(n.ip));

  return {
    stackName: stack.name,
    config,
    rawNodes: JSON.parse(all["ecs:nodes"].value) as Array<Record<string, unknown>>,
    node,
    nodeIndex,
    clusterNodes: clusterFacts(config.name, config.nodes, config.kubernetes).nodes,
    kubectl: new Kubectl(kubeconfig, tools.kubectl),
    cm: new CmOperations(client, config.cloudera.cluster),
    openstackAuth,
    ssh: { ...config.ssh, privateKey: secrets.sshPrivateKey },
    machines,
    membershipStdout: typeof stdout === "string" ? stdout : undefined,
    apiServerHosts: servers.map(hostOf),
    isLab,
  };
}
