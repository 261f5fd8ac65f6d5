import * as fs from "fs";
import * as path from "path";
import { defaultSeed, startCmSimulator, type CmSimulator } from "../cm";
import { startKubeLab, type KubeLab } from "../kube";
import { startOpenStackSimulator, type OpenStackSimulator } from "../openstack/server";
import { Rke2Controller } from "./rke2";
import { LabLog, LabNode, wireLab } from "./wiring";

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
];

export interface EcsLabOptions {
  dir: string;
  /** Lab-only credentials; never real ones. */
  openstackPassword: string;
  cmPassword: string;
  log?: LabLog;
}

export interface EcsLab {
  dir: string;
  openstack: OpenStackSimulator;
  cm: CmSimulator;
  kube: KubeLab;
  rke2: Rke2Controller;
  nodes: LabNode[];
  /** PEM file of the CA that signed the CM simulator's certificate. */
  cmCaFile: string;
  stop(): Promise<void>;
}

/** Starts OpenStack, Cloudera Manager and Kubernetes on loopback and wires them together. */
export async function startEcsLab(opts: EcsLabOptions): Promise<EcsLab> {
  const log = opts.log ?? (() => undefined);
  fs.mkdirSync(opts.dir, { recursive: true });
  const openstack = await startOpenStackSimulator({
    password: opts.openstackPassword,
    bootDelayMs: 500,
    seed: { flavors: LAB_FLAVORS, hypervisors: 6 },
  });
  await createKeyPair(openstack, opts.openstackPassword);
  const cm = await startCmSimulator({
    tls: true,
    seed: { ...defaultSeed(), hosts: [] },
    credentials: { username: "admin", password: opts.cmPassword },
    timings: { roleTransitionMs: 500, commandMs: 300 },
  });
  const cmCaFile = path.join(opts.dir, "cm-ca.pem");
  fs.writeFileSync(cmCaFile, cm.caPem ?? "");
  const kube = await startKubeLab({
    dir: path.join(opts.dir, "kube"),
    nodes: LAB_NODES.map((n) => ({ name: n.hostname, role: n.role, ip: n.ip })),
  });
  const rke2 = new Rke2Controller(kube.kubectl, { promoteAfterMs: 2000, pollMs: 500 });
  rke2.start();
  wireLab(openstack, cm, kube, LAB_NODES, log);
  return {
    dir: opts.dir,
    openstack,
    cm,
    kube,
    rke2,
    nodes: LAB_NODES,
    cmCaFile,
    async stop() {
      rke2.stop();
      await kube.stop();
      await cm.stop();
      await openstack.stop();
    },
  };
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
