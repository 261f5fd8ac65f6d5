import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "./types";
import { validateClusterConfig } from "./validate";

export interface LoadedConfig {
  cluster: ClusterConfig;
  /** CM password: a Pulumi secret, never read as plain text by the program. */
  cmPassword: pulumi.Output<string>;
}

/** Reads the `ecs` namespace of the stack config and validates it; throws before anything is registered. */
export function loadConfig(config = new pulumi.Config("ecs")): LoadedConfig {
  const cluster = validateClusterConfig({
    clusterName: config.get("clusterName"),
    domain: config.get("domain"),
    cloudera: config.getObject("cloudera"),
    openstack: config.getObject("openstack"),
    nodes: config.getObject("nodes"),
  });
  return { cluster, cmPassword: config.requireSecret("cmPassword") };
}
