import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { ClusterConfig } from "./types";
import { validateClusterConfig } from "./validate";

export interface LoadedConfig {
  cluster: ClusterConfig;
  /** CM password: a Pulumi secret, never read as plain text by the program. */
  cmPassword: pulumi.Output<string>;
  /** Kubeconfig text (secret `ecs:kubeconfig`), if set; else `kubernetes.kubeconfigPath` is used. */
  kubeconfig?: pulumi.Output<string>;
  /** Contents of `ecs:cloudera.caBundle`, read once here so a bad path fails before any resource. */
  cmCaBundle?: string;
}

/** Reads the `ecs` namespace of the stack config and validates it; throws before anything is registered. */
export function loadConfig(config = new pulumi.Config("ecs")): LoadedConfig {
  const cluster = validateClusterConfig({
    clusterName: config.get("clusterName"),
    domain: config.get("domain"),
    cloudera: config.getObject("cloudera"),
    openstack: config.getObject("openstack"),
    kubernetes: config.getObject("kubernetes"),
    nodes: config.getObject("nodes"),
  });
  let cmCaBundle: string | undefined;
  if (cluster.cloudera.caBundle) {
    try {
      cmCaBundle = fs.readFileSync(cluster.cloudera.caBundle, "utf8");
    } catch (e) {
      throw new Error(
        `ecs:cloudera.caBundle: cannot read ${cluster.cloudera.caBundle} (${(e as Error).message}). ` +
          "Fix: point it at a readable PEM file, or remove it to use the system trust store.",
      );
    }
  }
  return {
    cluster,
    cmPassword: config.requireSecret("cmPassword"),
    kubeconfig: config.getSecret("kubeconfig"),
    cmCaBundle,
  };
}
