import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { missingCredentials, resolveOpenStackAuth } from "../openstack/auth";
import { ClusterConfig } from "./types";
import { OBJECT_KEYS, RawClusterConfig, SECRET_KEYS, validateClusterConfig } from "./validate";

export interface LoadedConfig {
  cluster: ClusterConfig;
  /** CM password: a Pulumi secret, never read as plain text by the program. */
  cmPassword: pulumi.Output<string>;
  /** Kubeconfig text (secret `ecs:kubeconfig`), if set; else `kubernetes.kubeconfigPath` is used. */
  kubeconfig?: pulumi.Output<string>;
  /** Contents of `ecs:cloudera.caBundle`, read once here so a bad path fails before any resource. */
  cmCaBundle?: string;
  /** Private key for SSH to the nodes (secret `ecs:sshPrivateKey`): etcd snapshots, the RKE2 prep of a rejoin. */
  sshPrivateKey: pulumi.Output<string>;
  /**
   * The stack's OpenStack provider credentials as JSON (a secret), for the stages that ask Nova
   * whether a VM is off and stop it before its data volume is detached.
   */
  openstackAuth: pulumi.Output<string>;
}

/** Provider settings the stages share with the OpenStack provider (secret ones read as secrets). */
export const PROVIDER_KEYS = [
  "authUrl",
  "cloud",
  "region",
  "endpointType",
  "userName",
  "userId",
  "applicationCredentialId",
  "applicationCredentialName",
  "tenantName",
  "tenantId",
  "userDomainName",
  "userDomainId",
  "projectDomainName",
  "projectDomainId",
  "domainName",
  "domainId",
  "defaultDomain",
  "cacertFile",
  "insecure",
];
export const PROVIDER_SECRETS = ["password", "applicationCredentialSecret", "token"];

/**
 * The stack's OpenStack provider settings, resolved as the provider resolves them. Missing
 * credentials fail an update here, before anything changes; a preview needs none.
 */
function loadOpenStackAuth(): pulumi.Output<string> {
  // Raw reads: the secret ones end up inside the secret JSON below, never in plain outputs.
  const read = (k: string) => pulumi.runtime.getConfig(`openstack:${k}`);
  const settings = Object.fromEntries([...PROVIDER_KEYS, ...PROVIDER_SECRETS].map((k) => [k, read(k)]));
  const auth = resolveOpenStackAuth(settings, process.env);
  const missing = missingCredentials(auth);
  if (missing && !pulumi.runtime.isDryRun()) throw new Error(missing);
  return pulumi.secret(JSON.stringify(auth));
}

/** The PEM text of `ecs:cloudera.caBundle`, read once so a bad path fails before anything changes. */
export function readCaBundle(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(
      `ecs:cloudera.caBundle: cannot read ${file} (${(e as Error).message}). ` +
        "Fix: point it at a readable PEM file, or remove it to use the system trust store.",
    );
  }
}

/** Reads the `ecs` namespace of the stack config and validates it; throws before anything is registered. */
export function loadConfig(config = new pulumi.Config("ecs")): LoadedConfig {
  // Every key of the namespace, so that a mistyped one is reported instead of ignored.
  const keys = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith("ecs:"))
    .map((k) => k.slice(4));
  const raw: RawClusterConfig = {};
  for (const key of keys) {
    if ((SECRET_KEYS as readonly string[]).includes(key)) raw[key] = "(secret)";
    else
      raw[key] = (OBJECT_KEYS as readonly string[]).includes(key) ? config.getObject(key) : config.get(key);
  }
  const cluster = validateClusterConfig(raw);
  const sshPrivateKey = config.getSecret("sshPrivateKey");
  if (sshPrivateKey === undefined) {
    throw new Error(
      "ecs:sshPrivateKey: is required: before an ECS server's etcd member is removed, the stage takes an etcd snapshot " +
        "over SSH on another server (and a rejoin runs the RKE2 prep over SSH). " +
        "Fix: `pulumi config set --secret ecs:sshPrivateKey < <key file>` (a key the nodes' root, or a sudoer, accepts).",
    );
  }
  const cmCaBundle = readCaBundle(cluster.cloudera.caBundle);
  return {
    cluster,
    cmPassword: config.requireSecret("cmPassword"),
    kubeconfig: config.getSecret("kubeconfig"),
    cmCaBundle,
    sshPrivateKey,
    openstackAuth: loadOpenStackAuth(),
  };
}
