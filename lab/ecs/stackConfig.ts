import { DEFAULT_TIMINGS } from "../kube/timings";
import type { OpenStackSimulator } from "../openstack/server";
import { LAB_FLAVORS, LAB_IMAGES, LAB_NODES, type EcsLab } from "./index";

/** Stack config in the shape of `pulumi config --json` (objects as objectValue). */
export type LabConfigMap = Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;

export interface LabStackOptions {
  openstack: OpenStackSimulator;
  openstackPassword: string;
  cmUrl: string;
  cmPassword: string;
  cmCaFile?: string;
  kubeconfig?: string;
  runRecordDir?: string;
  /** The lab's sshd (`lab.ssh`): writes ecs:ssh, the secret ecs:sshPrivateKey and each node's sshHostKey. */
  ssh?: EcsLab["ssh"];
  /** Per-node overrides (rebuild, rejoin, evacuation) by short name. */
  nodes?: Record<string, Record<string, unknown>>;
}

/** Stack config that points the program at a running lab (all addresses on loopback). */
export function labStackConfig(o: LabStackOptions): LabConfigMap {
  const state = o.openstack.snapshot();
  const net = state.networks.find((n) => n.name === "ecs-net");
  const subnet = state.subnets.find((s) => s.cidr === "127.0.8.0/24");
  if (!net || !subnet) throw new Error("the OpenStack simulator has no ecs-net / 127.0.8.0/24");
  const json = (v: unknown) => ({ value: JSON.stringify(v), objectValue: v });
  const config: LabConfigMap = {
    "openstack:password": { value: o.openstackPassword, secret: true },
    "ecs:clusterName": { value: "ecs-lab" },
    "ecs:domain": { value: "ecs.openstack.com" },
    "ecs:cmPassword": { value: o.cmPassword, secret: true },
    "ecs:cloudera": json({
      url: o.cmUrl,
      username: "admin",
      cluster: "ecs-cluster",
      caBundle: o.cmCaFile,
      agentRepoUrl: "https://repo.lab.invalid/cm7",
    }),
    "ecs:openstack": json({
      networkId: net.id,
      subnetId: subnet.id,
      subnetCidr: "127.0.8.0/24",
      image: LAB_IMAGES[0],
      keyPair: "ecs-admin",
      serverFlavor: LAB_FLAVORS[0].name,
      agentFlavor: LAB_FLAVORS[1].name,
      dataVolumeGb: 10,
      adminCidrs: ["127.0.0.0/8"],
      protectDataVolumes: false,
    }),
    "ecs:kubernetes": json({
      kubeconfigPath: o.kubeconfig ?? "~/.kube/config",
      drainTimeoutSec: 60,
      readyTimeoutSec: 180,
      runRecordDir: o.runRecordDir ?? "run-records",
    }),
    // Lab timings are short; a real cluster keeps the defaults (900 s / 300 s).
    "ecs:healthGate": json({ timeoutSec: 120, stuckTerminatingSec: 60 }),
    // The lab is where drills are meant to run; its controller's grace period is seconds, not 40 s.
    "ecs:drills": json({
      allowed: true,
      nodeMonitorGracePeriodSec: DEFAULT_TIMINGS.nodeMonitorGracePeriodSeconds,
    }),
    "ecs:nodes": json(
      LAB_NODES.map((n) => ({
        name: n.name,
        ip: n.ip,
        role: n.role,
        rebuild: 0,
        rejoin: 0,
        evacuation: "drain",
        ...(o.ssh ? { sshHostKey: o.ssh.hostKeys[n.name] } : {}),
        ...(o.nodes?.[n.name] ?? {}),
      })),
    ),
  };
  if (o.ssh) {
    config["ecs:ssh"] = json({ user: o.ssh.user, port: o.ssh.port });
    config["ecs:sshPrivateKey"] = { value: o.ssh.privateKey, secret: true };
  }
  for (const [k, v] of Object.entries(o.openstack.providerConfig())) config[k] = { value: v };
  return config;
}
