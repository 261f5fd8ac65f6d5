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
  /** Private key for the RKE2 prep over SSH (secret `ecs:sshPrivateKey`); needed once a node rejoins. */
  sshPrivateKey?: pulumi.Output<string>;
}

/** Reads the `ecs` namespace of the stack config and validates it; throws before anything is registered. */
export function loadConfig(config = new pulumi.Config("ecs")): LoadedConfig {
  const cluster = validateClusterConfig({
    clusterName: config.get("clusterName"),
    domain: config.get("domain"),
    cloudera: config.getObject("cloudera"),
    openstack: config.getObject("openstack"),
    kubernetes: config.getObject("kubernetes"),
    ssh: config.getObject("ssh"),
    healthGate: config.getObject("healthGate"),
    nodes: config.getObject("nodes"),
  });
  const sshPrivateKey = config.getSecret("sshPrivateKey");
  const rejoining = cluster.nodes.filter((n) => n.rejoin > 0).map((n) => n.name);
  if (rejoining.length > 0 && sshPrivateKey === undefined) {
    throw new Error(
      `ecs:sshPrivateKey: is required because ${rejoining.join(", ")} ${rejoining.length === 1 ? "has" : "have"} a rejoin ` +
        "generation (the RKE2 prep runs over SSH). Fix: `pulumi config set --secret ecs:sshPrivateKey < <key file>`.",
    );
  }
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
    sshPrivateKey,
  };
}
