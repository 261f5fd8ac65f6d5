import { ProblemList } from "./errors";
import {
  cidrContains,
  coversAllIpv4,
  isDnsLabel,
  isFqdn,
  isReservedInCidr,
  isUuid,
  isWorldCidr,
  parseIpv4,
  parseIpv4Cidr,
} from "./net";
import { asObject, describe, RawReader } from "./read";
import {
  ClouderaConfig,
  ClusterConfig,
  ECS_ROLES,
  EcsRole,
  EVACUATION_MODES,
  EvacuationMode,
  HealthGateConfig,
  KubernetesConfig,
  NodeConfig,
  OpenStackConfig,
  DrillsConfig,
  ROLLOUT_ORDERS,
  RolloutConfig,
  SshConfig,
} from "./types";

/** The stack configuration as written by users: every key of the `ecs` namespace, untyped. */
export interface RawClusterConfig {
  clusterName?: unknown;
  domain?: unknown;
  cloudera?: unknown;
  openstack?: unknown;
  kubernetes?: unknown;
  ssh?: unknown;
  healthGate?: unknown;
  rollout?: unknown;
  drills?: unknown;
  nodes?: unknown;
  /** Any other key of the namespace: reported as unknown. */
  [other: string]: unknown;
}

/** The `ecs` keys whose values are objects or lists (read with getObject). */
export const OBJECT_KEYS = [
  "cloudera",
  "openstack",
  "kubernetes",
  "ssh",
  "healthGate",
  "rollout",
  "drills",
  "nodes",
] as const;
/** The secret `ecs` keys, read by the loader as secrets. */
export const SECRET_KEYS = ["cmPassword", "kubeconfig", "sshPrivateKey"] as const;

const NS = "ecs";
const DAY = 86_400;
/** 64 TiB: beyond what a Cinder backend hands out as one volume. */
const MAX_VOLUME_GB = 65_536;
/** Linux HOST_NAME_MAX. */
const MAX_HOSTNAME = 64;
/** Generations count replacements; a million is a typo, not a history. */
const MAX_GENERATION = 1_000_000;

/**
 * Validates and normalises the whole configuration. Pure: no Pulumi, no I/O. Throws one
 * `EcsConfigError` that lists every problem, each with the field and the fix.
 */
export function validateClusterConfig(raw: RawClusterConfig): ClusterConfig {
  const problems = new ProblemList();
  const top = new RawReader(problems, raw as Record<string, unknown>, NS);

  const name = top.string("clusterName", { fix: "set ecs:clusterName to a DNS label such as ecs-prod" });
  if (name && !isDnsLabel(name)) {
    problems.add(
      `${NS}:clusterName`,
      `${JSON.stringify(name)} is not a DNS label`,
      "use lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit",
    );
  }
  const domain = top.string("domain", {
    fix: "set ecs:domain to the nodes' DNS domain, e.g. ecs.example.com",
  });
  if (domain && !isFqdn(domain)) {
    problems.add(
      `${NS}:domain`,
      `${JSON.stringify(domain)} is not a well-formed DNS domain`,
      "use lower-case dot-separated labels such as ecs.example.com",
    );
  }

  const openstack = validateOpenStack(problems, raw.openstack);
  const cloudera = validateCloudera(problems, raw.cloudera);
  const kubernetes = validateKubernetes(problems, raw.kubernetes);
  const ssh = validateSsh(problems, raw.ssh);
  const healthGate = validateHealthGate(problems, raw.healthGate);
  const nodes = validateNodes(problems, raw.nodes, domain, openstack);
  const rollout = validateRollout(problems, raw.rollout, nodes);
  const drills = validateDrills(problems, raw.drills);
  // The objects above and the secrets the loader reads on its own.
  top.accept(...OBJECT_KEYS, ...SECRET_KEYS);
  top.rejectUnknown();

  problems.throwIfAny();
  return { name, domain, cloudera, openstack, kubernetes, ssh, healthGate, rollout, drills, nodes };
}

/** Reader over an optional object-valued key; reports a non-object value. */
function optionalObject(problems: ProblemList, value: unknown, key: string): RawReader {
  if (value !== undefined && value !== null && (typeof value !== "object" || Array.isArray(value))) {
    problems.add(`${NS}:${key}`, `must be an object, got ${describe(value)}`, "see README, Configuration");
    return new RawReader(problems, {}, `${NS}:${key}`);
  }
  return new RawReader(problems, (value ?? {}) as Record<string, unknown>, `${NS}:${key}`);
}

function validateSsh(problems: ProblemList, value: unknown): SshConfig {
  const s = optionalObject(problems, value, "ssh");
  const user = s.string("user", { default: "root", fix: "" });
  if (!/^[a-z_][a-z0-9_.-]*$/i.test(user)) {
    problems.add(
      s.field("user"),
      `${JSON.stringify(user)} is not a user name`,
      "use a login such as root or centos",
    );
  }
  const rke2BinDir = s.string("rke2BinDir", { default: "/opt/cloudera/parcels/ECS/bin", fix: "" });
  if (!/^\/[A-Za-z0-9._/-]*$/.test(rke2BinDir)) {
    problems.add(
      s.field("rke2BinDir"),
      `${JSON.stringify(rke2BinDir)} is not an absolute path of plain characters`,
      "use the parcel's bin directory, e.g. /opt/cloudera/parcels/ECS/bin",
    );
  }
  const rke2DataDir = s.string("rke2DataDir", { default: "/var/lib/rancher/rke2", fix: "" });
  if (!/^\/[A-Za-z0-9._/-]*$/.test(rke2DataDir)) {
    problems.add(
      s.field("rke2DataDir"),
      `${JSON.stringify(rke2DataDir)} is not an absolute path of plain characters`,
      "use RKE2's data-dir, /var/lib/rancher/rke2 unless the ECS install changed it",
    );
  }
  const port = s.integer("port", { default: 22, min: 1, max: 65535, fix: "use a TCP port number (1-65535)" });
  const ssh = {
    user,
    port,
    rke2BinDir,
    rke2DataDir,
    dialTimeoutSec: s.integer("dialTimeoutSec", {
      default: 15,
      min: 1,
      max: 300,
      fix: "use a number of seconds (1-300)",
    }),
    dialAttempts: s.integer("dialAttempts", {
      default: 10,
      min: 1,
      max: 100,
      fix: "use a whole number (1-100)",
    }),
  };
  s.rejectUnknown();
  return ssh;
}

function validateHealthGate(problems: ProblemList, value: unknown): HealthGateConfig {
  const h = optionalObject(problems, value, "healthGate");
  const gate = {
    timeoutSec: h.integer("timeoutSec", {
      default: 900,
      min: 1,
      max: DAY,
      fix: "use a number of seconds (at most a day)",
    }),
    stuckTerminatingSec: h.integer("stuckTerminatingSec", {
      default: 300,
      min: 1,
      max: DAY,
      fix: "use a number of seconds (at most a day)",
    }),
  };
  h.rejectUnknown();
  return gate;
}

function validateDrills(problems: ProblemList, value: unknown): DrillsConfig {
  const d = optionalObject(problems, value, "drills");
  const drills = {
    allowed: d.boolean("allowed", {
      default: false,
      fix: "use true to allow `npm run drill` on this stack (a test or staging cluster), false otherwise",
    }),
    nodeMonitorGracePeriodSec: d.integer("nodeMonitorGracePeriodSec", {
      default: 50,
      min: 1,
      max: 3600,
      fix: "use the cluster's kube-controller-manager --node-monitor-grace-period in seconds (Kubernetes' default: 50 since 1.32, 40 before)",
    }),
  };
  d.rejectUnknown();
  return drills;
}

function validateRollout(problems: ProblemList, value: unknown, nodes: NodeConfig[]): RolloutConfig {
  const r = optionalObject(problems, value, "rollout");
  const raw = (value ?? {}) as Record<string, unknown>;
  const named = `one of ${ROLLOUT_ORDERS.join(", ")}, or a list of every node's name`;
  let order: string[];
  if (Array.isArray(raw.order)) {
    order = r.stringArray("order", { default: [], fix: `use ${named}` });
    const known = new Set(nodes.map((n) => n.name));
    const unknown = order.filter((n) => !known.has(n));
    const twice = order.filter((n, i) => order.indexOf(n) !== i);
    const missing = nodes.map((n) => n.name).filter((n) => !order.includes(n));
    if (unknown.length || twice.length || missing.length)
      problems.add(
        r.field("order"),
        [
          unknown.length ? `names ${unknown.join(", ")}, not in ecs:nodes` : "",
          twice.length ? `lists ${[...new Set(twice)].join(", ")} twice` : "",
          missing.length ? `leaves out ${missing.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
        "list every node of ecs:nodes exactly once, in the order they should roll",
      );
  } else {
    const name = r.string("order", { default: "agents-first", fix: `use ${named}` });
    if (!(ROLLOUT_ORDERS as readonly string[]).includes(name))
      problems.add(r.field("order"), `${JSON.stringify(name)} is not a roll order`, `use ${named}`);
    const first: EcsRole = name === "servers-first" ? "server" : "agent";
    // Stable: within a role, the order of ecs:nodes.
    order = [...nodes.filter((n) => n.role === first), ...nodes.filter((n) => n.role !== first)].map(
      (n) => n.name,
    );
  }
  const rollout = {
    order,
    maxUnavailableAgents: r.integer("maxUnavailableAgents", {
      default: 1,
      min: 1,
      max: 1000,
      fix: "use a whole number >= 1: how many agents' workloads the cluster can do without at once",
    }),
    pauseSec: r.integer("pauseSec", {
      default: 0,
      min: 0,
      max: DAY,
      fix: "use a number of seconds (at most a day)",
    }),
  };
  r.rejectUnknown();
  return rollout;
}

function validateKubernetes(problems: ProblemList, value: unknown): KubernetesConfig {
  const k = optionalObject(problems, value, "kubernetes");
  const kubernetes = {
    kubeconfigPath: k.string("kubeconfigPath", { default: "~/.kube/config", fix: "" }),
    drainTimeoutSec: k.integer("drainTimeoutSec", {
      default: 600,
      min: 1,
      max: DAY,
      fix: "use a number of seconds (at most a day)",
    }),
    readyTimeoutSec: k.integer("readyTimeoutSec", {
      default: 1800,
      min: 1,
      max: DAY,
      fix: "use a number of seconds (at most a day)",
    }),
    serverLockTimeoutSec: k.integer("serverLockTimeoutSec", {
      default: 3600,
      min: 1,
      max: DAY,
      fix: "use a number of seconds, at most a day (a server change elsewhere may take as long as a whole server rebuild)",
    }),
    runRecordDir: k.string("runRecordDir", { default: "run-records", fix: "" }),
  };
  k.rejectUnknown();
  return kubernetes;
}

function validateOpenStack(problems: ProblemList, value: unknown): OpenStackConfig {
  const o = new RawReader(
    problems,
    asObject(problems, value, `${NS}:openstack`, "add an ecs:openstack object (see README, Configuration)"),
    `${NS}:openstack`,
  );
  const uuid = (key: string, what: string): string => {
    const v = o.string(key, { fix: `set ${o.field(key)} to the ID of the ${what} (openstack ${what} list)` });
    if (v && !isUuid(v)) {
      problems.add(
        o.field(key),
        `${JSON.stringify(v)} is not an OpenStack ID`,
        `use the UUID of the ${what}`,
      );
    }
    return v;
  };
  const networkId = uuid("networkId", "network");
  const subnetId = uuid("subnetId", "subnet");
  const subnetCidr = o.string("subnetCidr", { fix: "set it to the subnet's CIDR, e.g. 192.168.8.0/24" });
  if (subnetCidr && !parseIpv4Cidr(subnetCidr)) {
    problems.add(
      o.field("subnetCidr"),
      `${JSON.stringify(subnetCidr)} is not an IPv4 CIDR with its host bits clear`,
      "write it like 192.168.8.0/24",
    );
  }
  const adminCidrs = o.stringArray("adminCidrs", {
    default: [],
    fix: "list the admin networks as CIDR strings, e.g. [10.20.0.0/16]",
  });
  adminCidrs.forEach((c, i) => {
    const field = `${o.field("adminCidrs")}[${i}]`;
    if (isWorldCidr(c)) {
      problems.add(
        field,
        `${c} would open the Kubernetes API, SSH and NodePorts to the whole internet`,
        "name the admin networks that need access instead",
      );
    } else if (!parseIpv4Cidr(c)) {
      problems.add(field, `${JSON.stringify(c)} is not an IPv4 CIDR`, "write it like 10.20.0.0/16");
    }
  });
  const parsed = adminCidrs.map(parseIpv4Cidr).filter((c): c is NonNullable<typeof c> => c !== undefined);
  if (parsed.length > 1 && coversAllIpv4(parsed)) {
    problems.add(
      o.field("adminCidrs"),
      `${adminCidrs.join(" + ")} together cover every IPv4 address, which would open the Kubernetes API, SSH and NodePorts to the whole internet`,
      "name the admin networks that need access instead",
    );
  }
  const subnetGateway = o.optionalString(
    "subnetGateway",
    "set it to the subnet's gateway IP (openstack subnet show <subnet> -c gateway_ip) or remove it",
  );
  const subnet = parseIpv4Cidr(subnetCidr);
  const gatewayAddr = subnetGateway ? parseIpv4(subnetGateway) : undefined;
  if (subnetGateway && gatewayAddr === undefined) {
    problems.add(
      o.field("subnetGateway"),
      `${JSON.stringify(subnetGateway)} is not an IPv4 address`,
      "write it like 192.168.8.1",
    );
  } else if (gatewayAddr !== undefined && subnet && !cidrContains(subnet, gatewayAddr)) {
    problems.add(
      o.field("subnetGateway"),
      `${subnetGateway} is outside ${o.field("subnetCidr")} ${subnetCidr}`,
      "use the gateway of that subnet, or correct the subnet",
    );
  }
  const config = {
    networkId,
    subnetId,
    subnetCidr,
    subnetGateway,
    adminCidrs,
    image: o.string("image", { fix: "set it to the Glance image name of the ECS node OS" }),
    keyPair: o.string("keyPair", { fix: "set it to the Nova key pair name injected into the nodes" }),
    serverFlavor: o.string("serverFlavor", { fix: "set it to the Nova flavor for ECS Server nodes" }),
    agentFlavor: o.string("agentFlavor", { fix: "set it to the Nova flavor for ECS Agent nodes" }),
    dataVolumeGb: o.integer("dataVolumeGb", {
      default: 200,
      min: 1,
      max: MAX_VOLUME_GB,
      fix: `use a whole number of GiB (at most ${MAX_VOLUME_GB})`,
    }),
    volumeType: o.optionalString("volumeType", "set it to a Cinder volume type name or remove it"),
    availabilityZone: o.optionalString("availabilityZone", "set it to a Nova availability zone or remove it"),
    protectDataVolumes: o.boolean("protectDataVolumes", {
      default: true,
      fix: "use true (keeps node data safe) or false (labs, disposable stacks)",
    }),
  };
  o.rejectUnknown();
  return config;
}

function validateCloudera(problems: ProblemList, value: unknown): ClouderaConfig {
  const c = new RawReader(
    problems,
    asObject(problems, value, `${NS}:cloudera`, "add an ecs:cloudera object (see README, Configuration)"),
    `${NS}:cloudera`,
  );
  const url = c.string("url", {
    fix: "set it to the Cloudera Manager URL, e.g. https://cm.example.com:7183",
  });
  const allowInsecureHttp = c.boolean("allowInsecureHttp", {
    default: false,
    fix: "use true only for a lab CM without TLS",
  });
  let host = "";
  if (url) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      problems.add(
        c.field("url"),
        `${JSON.stringify(url)} is not a URL`,
        "write it like https://cm.example.com:7183",
      );
    }
    if (parsed) {
      host = parsed.hostname;
      if (parsed.protocol === "http:" && !allowInsecureHttp) {
        problems.add(
          c.field("url"),
          "uses plain http, so the CM password would cross the network unencrypted",
          "use the https URL (port 7183), or set ecs:cloudera.allowInsecureHttp: true for a lab",
        );
      } else if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        problems.add(c.field("url"), `scheme ${parsed.protocol} is not supported`, "use https://");
      }
      if (parsed.pathname !== "/" && parsed.pathname !== "") {
        problems.add(
          c.field("url"),
          `has a path (${parsed.pathname}); the API version is discovered, not configured`,
          "remove the path, keep scheme, host and port",
        );
      }
    }
  }
  const agentRepoUrl = c.string("agentRepoUrl", {
    fix: "set it to the yum repository URL that serves cloudera-manager-agent",
  });
  const repoProblem = agentRepoUrl ? repoUrlProblem(agentRepoUrl, allowInsecureHttp) : undefined;
  if (repoProblem) problems.add(c.field("agentRepoUrl"), repoProblem.problem, repoProblem.fix);
  const serviceName = (key: string, type: string) =>
    c.optionalString(
      key,
      `set it to the name of the ${type} service in CM (Clusters > <cluster>), or remove it`,
    );
  const config = {
    url: url.replace(/\/+$/, ""),
    host,
    allowInsecureHttp,
    username: c.string("username", { fix: "set it to a CM user with the Cluster Administrator role" }),
    cluster: c.string("cluster", { fix: "set it to the CM cluster name (ApiCluster.name) that holds ECS" }),
    ecsService: serviceName("ecsService", "ECS"),
    dockerService: serviceName("dockerService", "Docker"),
    tlsVerify: c.boolean("tlsVerify", { default: true, fix: "use true (recommended) or false" }),
    caBundle: c.optionalString("caBundle", "set it to the path of a PEM CA bundle or remove it"),
    agentRepoUrl,
  };
  c.rejectUnknown();
  return config;
}

/**
 * The agent repository goes into the nodes' cloud-init user data as YAML and into a yum repo
 * file: only plain URL characters, so that no value can change their structure; https, so the
 * packages' GPG key cannot be swapped on the way; no credentials (user data is readable from the
 * metadata service).
 */
function repoUrlProblem(
  url: string,
  allowInsecureHttp: boolean,
): { problem: string; fix: string } | undefined {
  const fix =
    "use the https URL of the repository (e.g. https://archive.cloudera.com/p/cm7/7.8.1/redhat8/yum) or of a mirror";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(url))
    return { problem: "contains control characters (a newline would inject cloud-init directives)", fix };
  const m = /^(https?):\/\/([^/?#]*)([^?#]*)$/.exec(url);
  if (!m) return { problem: `${JSON.stringify(url)} is not an http(s) URL without query or fragment`, fix };
  if (m[2].includes("@"))
    return {
      problem: "carries credentials, which the user data would expose to every process on the node",
      fix: "use a mirror or repository without credentials in the URL",
    };
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(m[2]) || !/^[A-Za-z0-9._~%+/-]*$/.test(m[3]))
    return { problem: `${JSON.stringify(url)} has characters outside plain URL characters`, fix };
  if (m[1] === "http" && !allowInsecureHttp)
    return {
      problem: "uses plain http: the packages and their GPG key could be swapped on the way",
      fix: "use https (or ecs:cloudera.allowInsecureHttp: true for a lab)",
    };
  return undefined;
}

function validateNodes(
  problems: ProblemList,
  value: unknown,
  domain: string,
  openstack: OpenStackConfig,
): NodeConfig[] {
  const field = `${NS}:nodes`;
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(
      field,
      value === undefined ? "is required but missing" : `must be a non-empty list, got ${describe(value)}`,
      "list the nodes, each with name, ip and role (see README, Configuration)",
    );
    return [];
  }
  const subnet = parseIpv4Cidr(openstack.subnetCidr);
  const nodes = value.map((item, i) =>
    validateNode(problems, item, `${field}[${i}]`, domain, openstack, subnet),
  );

  reportDuplicates(problems, nodes, (n) => n.name, "name", "give every node its own name");
  reportDuplicates(problems, nodes, (n) => n.hostname, "hostname", "give every node its own hostname");
  reportDuplicates(problems, nodes, (n) => n.ip, "ip", "give every node its own fixed IP");

  const servers = nodes.filter((n) => n.role === "server").length;
  if (servers < 3 || servers % 2 === 0) {
    problems.add(
      field,
      `has ${servers} ECS server node${servers === 1 ? "" : "s"}; etcd needs an odd number, at least 3, to keep quorum`,
      servers < 3 ? "add server nodes until there are 3 (or 5)" : "add or remove one server node",
    );
  }
  return nodes;
}

function validateNode(
  problems: ProblemList,
  item: unknown,
  path: string,
  domain: string,
  openstack: OpenStackConfig,
  subnet: ReturnType<typeof parseIpv4Cidr>,
): NodeConfig {
  const n = new RawReader(problems, asObject(problems, item, path, "write each node as an object"), path);
  const name = n.string("name", { fix: "give the node a short name such as ds01" });
  if (name && !isDnsLabel(name)) {
    problems.add(
      n.field("name"),
      `${JSON.stringify(name)} is not a DNS label`,
      "use lower-case letters, digits, '-'",
    );
  }
  const hostname = n.string("hostname", { default: name && domain ? `${name}.${domain}` : "", fix: "" });
  if (hostname && !isFqdn(hostname)) {
    problems.add(
      n.field("hostname"),
      `${JSON.stringify(hostname)} is not a fully qualified lower-case hostname`,
      "use a name such as ds01.ecs.example.com",
    );
  } else if (hostname.length > MAX_HOSTNAME) {
    // cloud-init sets the FQDN as the kernel hostname (prefer_fqdn_over_hostname), which Linux caps.
    problems.add(
      n.field("hostname"),
      `${hostname} has ${hostname.length} characters; a Linux hostname has at most ${MAX_HOSTNAME}`,
      n.has("hostname")
        ? "use a shorter hostname"
        : "use a shorter node name or ecs:domain, or set a shorter hostname",
    );
  }
  const ip = n.string("ip", { fix: "give the node its fixed IPv4 address inside ecs:openstack.subnetCidr" });
  const addr = ip ? parseIpv4(ip) : undefined;
  if (ip && addr === undefined) {
    problems.add(
      n.field("ip"),
      `${JSON.stringify(ip)} is not an IPv4 address`,
      "write it like 192.168.8.141",
    );
  } else if (addr !== undefined && subnet) {
    if (!cidrContains(subnet, addr)) {
      problems.add(
        n.field("ip"),
        `${ip} is outside ecs:openstack.subnetCidr ${openstack.subnetCidr}`,
        `use an address inside ${openstack.subnetCidr}, or correct the subnet`,
      );
    } else if (openstack.subnetGateway && ip === openstack.subnetGateway) {
      problems.add(
        n.field("ip"),
        `${ip} is ecs:openstack.subnetGateway, the subnet's router`,
        "give the node another address in the subnet",
      );
    } else if (isReservedInCidr(subnet, addr)) {
      problems.add(
        n.field("ip"),
        `${ip} is the network or broadcast address of ${openstack.subnetCidr}`,
        "use a host address",
      );
    }
  }
  const role = n.string("role", { fix: `set it to one of: ${ECS_ROLES.join(", ")}` });
  if (role && !ECS_ROLES.includes(role as EcsRole)) {
    problems.add(
      n.field("role"),
      `${JSON.stringify(role)} is not a known role`,
      `use one of: ${ECS_ROLES.join(", ")}`,
    );
  }
  const evacuation = n.string("evacuation", { default: "drain", fix: "" });
  if (!EVACUATION_MODES.includes(evacuation as EvacuationMode)) {
    problems.add(
      n.field("evacuation"),
      `${JSON.stringify(evacuation)} is not an evacuation mode`,
      `use one of: ${EVACUATION_MODES.join(", ")}`,
    );
  }
  const generationFix = "use a whole number >= 0 and only ever increase it";
  const defaultFlavor = role === "server" ? openstack.serverFlavor : openstack.agentFlavor;
  const rejoin = n.integer("rejoin", { default: 0, max: MAX_GENERATION, fix: generationFix });
  const sshHostKey = n.optionalString("sshHostKey", "");
  if (sshHostKey !== undefined && !SSH_PUBLIC_KEY.test(sshHostKey)) {
    problems.add(
      n.field("sshHostKey"),
      "is not an SSH public key in authorized_keys form",
      "write it as `<type> <base64>`, e.g. the line `ssh-keyscan -t ed25519 <ip>` prints after the address",
    );
  } else if (sshHostKey === undefined && (rejoin > 0 || role === "server")) {
    problems.add(
      n.field("sshHostKey"),
      rejoin > 0
        ? `is required for a rejoin (rejoin = ${rejoin}): the RKE2 prep runs over SSH and checks the host key`
        : "is required for an ECS server: before a server's etcd member is removed, the stage reads etcd's member list " +
            "and takes an etcd snapshot over SSH on another server, trusting only this key",
      "set it to the node's host public key (`ssh-keyscan -t ed25519 <ip>`, compare the fingerprint with the VM's console log)",
    );
  }
  const node = {
    name,
    hostname,
    ip,
    role: role as EcsRole,
    evacuation: evacuation as EvacuationMode,
    rebuild: n.integer("rebuild", { default: 0, max: MAX_GENERATION, fix: generationFix }),
    rejoin,
    flavor: n.string("flavor", {
      default: defaultFlavor,
      fix: "set it to a Nova flavor name, or remove it for the role's flavor",
    }),
    image: n.string("image", {
      default: openstack.image,
      fix: "set it to a Glance image name, or remove it for ecs:openstack.image",
    }),
    dataVolumeGb: n.integer("dataVolumeGb", {
      default: openstack.dataVolumeGb,
      min: 1,
      max: MAX_VOLUME_GB,
      fix: "use a whole number of GiB",
    }),
    sshHostKey,
  };
  n.rejectUnknown();
  return node;
}

/** `<algorithm> <base64>` with an optional comment, as in authorized_keys and ssh-keyscan output. */
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( .*)?$/;

function reportDuplicates(
  problems: ProblemList,
  nodes: NodeConfig[],
  key: (n: NodeConfig) => string,
  what: string,
  fix: string,
): void {
  const seen = new Map<string, number>();
  nodes.forEach((n, i) => {
    const k = key(n);
    if (!k) return;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else problems.add(`${NS}:nodes[${i}].${what}`, `${k} is already used by ecs:nodes[${first}]`, fix);
  });
}
