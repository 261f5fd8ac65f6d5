import * as pulumi from "@pulumi/pulumi";
import {
  changedKeys,
  checkConnection,
  CmConnectionArgs,
  CmConnectionInputs,
  connect,
  replaceKeys,
} from "./stage-inputs";

export interface ClusterHostInputs extends CmConnectionInputs {
  /** FQDN the CM agent registers with, e.g. ds02.ecs.openstack.com. */
  hostname: string;
  /** The VM behind the host (e.g. the Nova instance id): a new VM means a new CM host. */
  instanceId: string;
  /** The node's fixed IP: a host is accepted only when CM saw its agent at this address. */
  ipAddress?: string;
  /**
   * The node's data volume attachment (the previous stage): the host comes back only after the
   * volume is attached again, and goes before it is detached.
   */
  dataAttachmentId?: string;
}

export interface ClusterHostOutputs extends ClusterHostInputs {
  /** CM's opaque host id of the registered agent. */
  hostId: string;
  stage: "cm-host";
}

const IDENTITY: (keyof ClusterHostInputs)[] = ["hostname", "instanceId", "cluster"];

/**
 * Stage "CM cluster host". create: wait for the agent heartbeat (at the node's IP), add the host
 * to the cluster. delete: by the stored host id, checked against hostname and cluster: remove the
 * host (and what roles are left on it) from the cluster and delete it from CM.
 */
export const clusterHostProvider: pulumi.dynamic.ResourceProvider<ClusterHostInputs, ClusterHostOutputs> = {
  async check(_olds, news) {
    const failures = checkConnection(news);
    for (const key of ["hostname", "instanceId"] as const) {
      if (typeof news[key] !== "string" || news[key] === "")
        failures.push({ property: key, reason: `${key} is required` });
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const replaces = replaceKeys(olds, news, IDENTITY);
    // A host made before the attachment was part of the chain adopts it without being replaced.
    if (olds.dataAttachmentId !== undefined && olds.dataAttachmentId !== news.dataAttachmentId)
      replaces.push("dataAttachmentId");
    const changes = changedKeys({ ...olds, hostId: undefined, stage: undefined }, { ...news });
    return { changes: changes.length > 0, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const ops = await connect(inputs);
    const host = await ops.ensureHostInCluster(inputs.hostname, inputs.ipAddress);
    const hostId = host.hostId ?? "";
    return { id: hostId, outs: { ...inputs, hostId, stage: "cm-host" } };
  },

  async update(_id, olds, news) {
    // Only connection details changed (replace keys did not): nothing to do in CM.
    return { outs: { ...news, hostId: olds.hostId, stage: "cm-host" } };
  },

  async delete(id, props) {
    const ops = await connect(props);
    await ops.ensureHostRemoved(props.hostId || id, props.hostname);
  },
};

export type ClusterHostArgs = CmConnectionArgs & {
  hostname: pulumi.Input<string>;
  instanceId: pulumi.Input<string>;
  ipAddress?: pulumi.Input<string>;
  dataAttachmentId?: pulumi.Input<string>;
};
