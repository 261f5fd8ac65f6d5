import * as pulumi from "@pulumi/pulumi";
import {
  changedKeys,
  checkConnection,
  CmConnectionArgs,
  CmConnectionInputs,
  connect,
  replaceKeys,
} from "./stage-inputs";

export interface RoleInputs extends CmConnectionInputs {
  hostname: string;
  /** From the ClusterHost stage: chains this stage into the delete-before-replace cascade. */
  hostId: string;
  /**
   * From the RKE2 prep stage: a new prep (a rejoin) means a new role, so the cascade removes the
   * role before the node's RKE2 is wiped and adds it back after.
   */
  rke2PrepId?: string;
  /** From the VM power stage: the role is deleted before the VM is powered off and comes back after it runs. */
  powerId?: string;
  roleType: "ECS_SERVER" | "ECS_AGENT";
  /** Also manage the host's DOCKER_SERVER role (started before, deleted after the ECS role). Default true. */
  withDockerRole?: boolean;
  /** Refresh the cluster after deleting the roles (runbook step 5). Default true. */
  refreshOnDelete?: boolean;
}

export interface RoleOutputs extends RoleInputs {
  roleName: string;
  dockerRoleName?: string;
  stage: "cm-role";
}

const IDENTITY: (keyof RoleInputs)[] = ["hostname", "hostId", "roleType", "cluster", "withDockerRole"];
const ROLE_TYPES = ["ECS_SERVER", "ECS_AGENT"];

/**
 * Stage "CM role". create: make the ECS_SERVER/ECS_AGENT role on the host, start it, wait STARTED.
 * delete: by the stored role names, checked against type and host: stop, wait STOPPED, delete, refresh.
 */
export const roleProvider: pulumi.dynamic.ResourceProvider<RoleInputs, RoleOutputs> = {
  async check(_olds, news) {
    const failures = checkConnection(news);
    for (const key of ["hostname", "hostId"] as const) {
      if (typeof news[key] !== "string" || news[key] === "")
        failures.push({ property: key, reason: `${key} is required` });
    }
    if (!ROLE_TYPES.includes(news.roleType)) {
      failures.push({ property: "roleType", reason: `roleType must be one of ${ROLE_TYPES.join(", ")}` });
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const replaces = replaceKeys(olds, news, IDENTITY);
    // A role made before the prep stage existed adopts it without being replaced.
    if (olds.rke2PrepId !== undefined && olds.rke2PrepId !== news.rke2PrepId) replaces.push("rke2PrepId");
    if (olds.powerId !== undefined && olds.powerId !== news.powerId) replaces.push("powerId");
    const changes = changedKeys(
      { ...olds, roleName: undefined, dockerRoleName: undefined, stage: undefined },
      { ...news },
    );
    return { changes: changes.length > 0, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const ops = await connect(inputs);
    let dockerRoleName: string | undefined;
    if (inputs.withDockerRole !== false) {
      const docker = await ops.ensureRole(inputs.hostname, "DOCKER_SERVER", inputs.hostId);
      dockerRoleName = docker.role.name;
      await ops.ensureRoleState(docker.service, docker.role.name ?? "", "STARTED", inputs.hostname);
    }
    const ecs = await ops.ensureRole(inputs.hostname, inputs.roleType, inputs.hostId);
    await ops.ensureRoleState(ecs.service, ecs.role.name ?? "", "STARTED", inputs.hostname);
    const roleName = ecs.role.name ?? "";
    return { id: roleName, outs: { ...inputs, roleName, dockerRoleName, stage: "cm-role" } };
  },

  async update(_id, olds, news) {
    return {
      outs: { ...news, roleName: olds.roleName, dockerRoleName: olds.dockerRoleName, stage: "cm-role" },
    };
  },

  async delete(id, props) {
    const ops = await connect(props);
    await ops.ensureRoleDeleted(props.hostname, props.roleType, props.roleName || id, props.hostId);
    if (props.withDockerRole !== false)
      await ops.ensureRoleDeleted(props.hostname, "DOCKER_SERVER", props.dockerRoleName, props.hostId);
    if (props.refreshOnDelete !== false) await ops.refresh();
  },
};

export type RoleArgs = CmConnectionArgs & {
  hostname: pulumi.Input<string>;
  hostId: pulumi.Input<string>;
  rke2PrepId?: pulumi.Input<string>;
  powerId?: pulumi.Input<string>;
  roleType: pulumi.Input<"ECS_SERVER" | "ECS_AGENT">;
  withDockerRole?: pulumi.Input<boolean>;
  refreshOnDelete?: pulumi.Input<boolean>;
};
