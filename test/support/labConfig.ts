import { ConfigMap } from "@pulumi/pulumi/automation";
import type { OpenStackSimulator } from "../../lab/openstack/server";

/** The lab's six nodes: the seed's ds01-ds06 on loopback addresses. */
export const LAB_NODES = [1, 2, 3, 4, 5, 6].map((i) => ({
  name: `ds0${i}`,
  ip: `127.0.8.${140 + i}`,
  role: i <= 3 ? "server" : "agent",
}));

/** Flavors the lab seeds: ECS-sized, so the flavor policy passes. */
export const LAB_FLAVORS = [
  { name: "ecs.server.16c64g", vcpus: 16, ramMb: 65536, diskGb: 100 },
  { name: "ecs.agent.32c128g", vcpus: 32, ramMb: 131072, diskGb: 200 },
];

/** Stack config pointing the program at a running OpenStack simulator. */
export function labStackConfig(sim: OpenStackSimulator, password: string, cmUrl: string): ConfigMap {
  const state = sim.snapshot();
  const net = state.networks.find((n) => n.name === "ecs-net");
  const subnet = state.subnets.find((s) => s.cidr === "127.0.8.0/24");
  if (!net || !subnet) throw new Error("the simulator has no ecs-net / 127.0.8.0/24");
  const config: ConfigMap = {
    "openstack:password": { value: password, secret: true },
    "ecs:clusterName": { value: "ecs-lab" },
    "ecs:domain": { value: "ecs.openstack.com" },
    "ecs:cmPassword": { value: "lab-cm-password", secret: true },
    "ecs:cloudera": {
      value: JSON.stringify({
        url: cmUrl,
        username: "admin",
        cluster: "ecs-cluster",
        agentRepoUrl: "https://repo.lab.invalid/cm7",
      }),
    },
    "ecs:openstack": {
      value: JSON.stringify({
        networkId: net.id,
        subnetId: subnet.id,
        subnetCidr: "127.0.8.0/24",
        image: "rhel-8.8-ecs",
        keyPair: "ecs-admin",
        serverFlavor: LAB_FLAVORS[0].name,
        agentFlavor: LAB_FLAVORS[1].name,
        dataVolumeGb: 10,
        adminCidrs: ["127.0.0.0/8"],
        protectDataVolumes: false,
      }),
    },
    "ecs:nodes": {
      value: JSON.stringify(LAB_NODES.map((n) => ({ ...n, rebuild: 0, rejoin: 0, evacuation: "drain" }))),
    },
  };
  for (const [k, v] of Object.entries(sim.providerConfig())) config[k] = { value: v };
  return config;
}
