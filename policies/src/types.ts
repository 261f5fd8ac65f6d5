/** Type strings of the resources the rules look at (CrossGuard matches by type string). */
export const TYPES = {
  instance: "openstack:compute/instance:Instance",
  volumeAttach: "openstack:compute/volumeAttach:VolumeAttach",
  serverGroup: "openstack:compute/serverGroup:ServerGroup",
  secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
  command: "command:local:Command",
  remoteCommand: "command:remote:Command",
  cmHost: "pulumi-nodejs:dynamic/cloudera:ClusterHost",
  cmRole: "pulumi-nodejs:dynamic/cloudera:Role",
  cmRefresh: "pulumi-nodejs:dynamic/cloudera:Refresh",
  vmPower: "pulumi-nodejs:dynamic/openstack:VmPower",
} as const;

export type EcsRole = "server" | "agent";

/** ECS node instances are the ones the program tags with an `ecs-role` in their metadata. */
export function ecsRoleOf(type: string, props: Record<string, unknown>): EcsRole | undefined {
  if (type !== TYPES.instance) return undefined;
  const role = (props.metadata as Record<string, unknown> | undefined)?.["ecs-role"];
  return role === "server" || role === "agent" ? role : undefined;
}

export function nodeNameOf(props: Record<string, unknown>): string {
  const hostname = (props.metadata as Record<string, unknown> | undefined)?.["ecs-hostname"];
  return typeof hostname === "string" ? hostname : String(props.name ?? "?");
}
