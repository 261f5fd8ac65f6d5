/** A small cluster description the simulator starts from (JSON-compatible, so the CLI can load it from a file). */
export interface CmSeed {
  cluster: { name: string; displayName: string; fullVersion: string };
  /** Services of the cluster; the client finds them by type. */
  services: { name: string; type: "ECS" | "DOCKER" }[];
  hosts: SeedHost[];
}

export interface SeedHost {
  hostname: string;
  ipAddress: string;
  /** Opaque CM host id; generated (UUID) when absent. */
  hostId?: string;
  /** Whether the host is a member of the cluster at start (default true). */
  inCluster?: boolean;
  /** Role types on the host at start, all STARTED (e.g. ["ECS_SERVER", "DOCKER_SERVER"]). */
  roles: string[];
}

/** The lab's six nodes: ds01-03 ECS servers, ds04-06 ECS agents, each with the Docker server role. */
export function defaultSeed(): CmSeed {
  const hosts: SeedHost[] = [];
  for (let i = 1; i <= 6; i++) {
    hosts.push({
      hostname: `ds0${i}.ecs.openstack.com`,
      ipAddress: `127.0.8.${140 + i}`,
      roles: [i <= 3 ? "ECS_SERVER" : "ECS_AGENT", "DOCKER_SERVER"],
    });
  }
  return {
    cluster: { name: "ecs-cluster", displayName: "ECS1", fullVersion: "1.5.4" },
    services: [
      { name: "ecs", type: "ECS" },
      { name: "docker", type: "DOCKER" },
    ],
    hosts,
  };
}

/** Which service carries a role type (reference §4: DOCKER_SERVER in DOCKER, ECS_SERVER/ECS_AGENT in ECS). */
export function serviceTypeOfRole(roleType: string): "ECS" | "DOCKER" | undefined {
  if (roleType === "DOCKER_SERVER") return "DOCKER";
  if (roleType === "ECS_SERVER" || roleType === "ECS_AGENT") return "ECS";
  return undefined;
}
