import * as fs from "fs";
import * as path from "path";
import { defaultSeed, startCmSimulator, type CmSimulator } from "../cm";
import { startKubeLab, type KubeLab } from "../kube";
import { startOpenStackSimulator, type OpenStackSimulator } from "../openstack/server";
import { EtcdEndpoints, startEtcdEndpoints } from "./etcdEndpoint";
import { ECS_BIN_DIR, installRke2Scripts, startNodeAgent } from "./nodeAgent";
import { Rke2Controller } from "./rke2";
import { LabSsh, sshdPreflight, sshPort, startLabSshd } from "./sshd";
import { LabLog, LabNode, LabWiring, wireLab } from "./wiring";

/** The seed's six nodes on loopback: ds01-03 ECS Server, ds04-06 ECS Agent. */
export const LAB_NODES: LabNode[] = [1, 2, 3, 4, 5, 6].map((i) => ({
  name: `ds0${i}`,
  hostname: `ds0${i}.ecs.openstack.com`,
  ip: `127.0.8.${140 + i}`,
  role: i <= 3 ? "server" : "agent",
}));

/** ECS-sized flavors, so the flavor policy passes on the lab too. */
export const LAB_FLAVORS = [
  { name: "ecs.server.16c64g", vcpus: 16, ramMb: 65536, diskGb: 100 },
  { name: "ecs.agent.32c128g", vcpus: 32, ramMb: 131072, diskGb: 200 },
  // A second agent flavor, for the e2e of a fleet-wide flavor change.
  { name: "ecs.agent.v2.32c128g", vcpus: 32, ramMb: 131072, diskGb: 200 },
];

/** The node OS images Glance offers: the stacks boot the first; the second is a newer build, for rolls. */
export const LAB_IMAGES = ["rhel-8.8-ecs", "rhel-8.10-ecs"];

export interface EcsLabOptions {
  dir: string;
  /** Lab-only credentials; never real ones. */
  openstackPassword: string;
  cmPassword: string;
  log?: LabLog;
  /** Port of the nodes' sshd; default $ECS_LAB_SSH_PORT, else 22. */
  sshPort?: number;
  /** Port of the servers' etcd client endpoint; default $ECS_LAB_ETCD_PORT, else 2379 (as RKE2). */
  etcdPort?: number;
}

export interface EcsLab {
  dir: string;
  openstack: OpenStackSimulator;
  cm: CmSimulator;
  kube: KubeLab;
  rke2: Rke2Controller;
  /** Per-node lab state (RKE2 running/stopped/wiped/stale) and what the nodes' RKE2 scripts do. */
  wiring: LabWiring;
  /** One OpenSSH sshd per node on its IP: how to log in, and the host keys to expect. */
  ssh: LabSsh;
  /** The lab's node agent on 127.0.0.1, which the nodes' RKE2 scripts call (SetEnv ECS_LAB_AGENT_URL). */
  nodeAgentUrl: string;
  /** etcd's client endpoint on each server IP (mutual TLS, RKE2's certificates; see etcdEndpoint.ts). */
  etcd: EtcdEndpoints;
  nodes: LabNode[];
  /** PEM file of the CA that signed the CM simulator's certificate. */
  cmCaFile: string;
  stop(): Promise<void>;
}

/**
 * Starts OpenStack, Cloudera Manager and Kubernetes on loopback, one sshd per node, and wires
 * them together. Needs root and OpenSSH's sshd (see lab/ecs/sshd.ts); fails fast when they are missing.
 */
export async function startEcsLab(opts: EcsLabOptions): Promise<EcsLab> {
  const log = opts.log ?? (() => undefined);
  fs.mkdirSync(opts.dir, { recursive: true });
  const port = sshPort(opts.sshPort);
  await sshdPreflight(LAB_NODES, port);
  const cleanup: Array<() => Promise<void> | void> = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    const openstack = await startOpenStackSimulator({
      password: opts.openstackPassword,
      bootDelayMs: 500,
      seed: {
        flavors: LAB_FLAVORS,
        images: LAB_IMAGES.map((name) => ({ name, sizeBytes: 2147483648 })),
        hypervisors: 6,
      },
    });
    cleanup.push(() => openstack.stop());
    await createKeyPair(openstack, opts.openstackPassword);
    const cm = await startCmSimulator({
      tls: true,
      seed: { ...defaultSeed(), hosts: [] },
      credentials: { username: "admin", password: opts.cmPassword },
      timings: { roleTransitionMs: 500, commandMs: 300 },
    });
    cleanup.push(() => cm.stop());
    const cmCaFile = path.join(opts.dir, "cm-ca.pem");
    fs.writeFileSync(cmCaFile, cm.caPem ?? "");
    const agent = await startNodeAgent();
    cleanup.push(() => agent.stop());
    installScripts();

    // Kubernetes takes seconds, the sshd a fraction of one: start them side by side.
    const [kubeResult, sshdResult] = await Promise.allSettled([
      startKubeLab({
        dir: path.join(opts.dir, "kube"),
        nodes: LAB_NODES.map((n) => ({ name: n.hostname, role: n.role, ip: n.ip })),
      }),
      startLabSshd({ dir: opts.dir, nodes: LAB_NODES, port, agentUrl: agent.url }),
    ]);
    if (kubeResult.status === "fulfilled") cleanup.push(() => kubeResult.value.stop());
    if (sshdResult.status === "fulfilled") cleanup.push(() => sshdResult.value.stop());
    if (kubeResult.status === "rejected") throw kubeResult.reason;
    if (sshdResult.status === "rejected") throw sshdResult.reason;
    const kube = kubeResult.value;
    const sshd = sshdResult.value;

    const ipOf = (hostname: string) => LAB_NODES.find((n) => n.hostname === hostname)?.ip;
    const rke2 = new Rke2Controller(kube.kubectl, { promoteAfterMs: 2000, pollMs: 500 }, ipOf);
    rke2.start();
    cleanup.push(() => rke2.stop());
    const wiring = wireLab(openstack, cm, kube, rke2, LAB_NODES, log);
    agent.attach(wiring);
    const etcd = await startEtcdEndpoints({
      servers: LAB_NODES.filter((n) => n.role === "server"),
      rke2,
      serves: (name) => wiring.etcdServes(name),
      port: opts.etcdPort,
    });
    return {
      dir: opts.dir,
      openstack,
      cm,
      kube,
      rke2,
      wiring,
      ssh: sshd.ssh,
      nodeAgentUrl: agent.url,
      etcd,
      nodes: LAB_NODES,
      cmCaFile,
      async stop() {
        rke2.stop();
        await etcd.stop();
        await sshd.stop();
        await agent.stop();
        await kube.stop();
        await cm.stop();
        await openstack.stop();
      },
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

/** rke2-killall.sh and rke2-uninstall.sh where the ECS parcel has them, shared by the six sshd. */
function installScripts(): void {
  try {
    installRke2Scripts();
  } catch (e) {
    throw new Error(
      `cannot install the lab's RKE2 scripts in ${ECS_BIN_DIR}: ${(e as Error).message} (the lab runs as root)`,
    );
  }
}

/** The admin key pair the nodes refer to by name (an operator creates it once per cloud). */
async function createKeyPair(openstack: OpenStackSimulator, password: string): Promise<void> {
  const auth = await fetch(`${openstack.authUrl}/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: "ecs-admin", domain: { name: "Default" }, password } },
        },
        scope: { project: { name: "ecs", domain: { name: "Default" } } },
      },
    }),
  });
  const token = auth.headers.get("x-subject-token") ?? "";
  const res = await fetch(`${openstack.url}/compute/v2.1/os-keypairs`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-auth-token": token },
    body: JSON.stringify({
      keypair: { name: "ecs-admin", public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0vLabKey lab" },
    }),
  });
  if (res.status >= 300)
    throw new Error(`creating the lab key pair failed: ${res.status} ${await res.text()}`);
}
