import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { validateClusterConfig } from "../../components/config/validate";
import { EcsCluster } from "../../components/ecsCluster";
import { clone, readStackConfig } from "../support/stackConfig";

/** Everything the program registered, as the mock monitor saw it. */
interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      // The CM host stage's output the next stages bind to.
      const hostId = args.type.endsWith("cloudera:ClusterHost") ? { hostId: `${args.name}-host-id` } : {};
      return { id: `${args.name}-id`, state: { ...args.inputs, ...hostId } };
    },
    call(args) {
      return args.inputs;
    },
  },
  "ecs",
  "dev",
  false,
);

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply(r));
}

const ofType = (t: string) => registered.filter((r) => r.type === t);

/** Mocks see secret inputs in the wire form: { <secret signature>: ..., value }. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function unwrapSecret(v: unknown): { secret: boolean; value: unknown } {
  const o = v as Record<string, unknown> | undefined;
  return o && SECRET_SIG in o ? { secret: true, value: o.value } : { secret: false, value: v };
}

describe("EcsCluster (Pulumi mocks)", () => {
  const config = validateClusterConfig(clone(readStackConfig("dev")));
  let cluster: EcsCluster;

  before(async () => {
    cluster = new EcsCluster(config.name, {
      cluster: config,
      cmPassword: "test-password",
      cmCaBundle: "-----BEGIN CERTIFICATE-----\nlab CA\n-----END CERTIFICATE-----\n",
      openstackAuth: JSON.stringify({
        authUrl: "https://keystone.example.com:5000/v3",
        password: "os-test-password",
      }),
      sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nexample\n-----END OPENSSH PRIVATE KEY-----\n",
    });
    // Wait for every node's outputs so all child registrations have reached the mock monitor.
    await resolve(cluster.nodeSummary());
    await resolve(pulumi.all(cluster.nodes.map((n) => n.dataAttachment.id)));
    await resolve(pulumi.all(cluster.nodes.map((n) => n.stages!.membership.id)));
    await resolve(cluster.cmRefresh!.id);
    await resolve(cluster.healthGate!.id);
  });

  it("registers six nodes with the right roles", async () => {
    const summary = await resolve(cluster.nodeSummary());
    assert.deepStrictEqual(
      Object.entries(summary).map(([name, n]) => [name, n.role, n.ip]),
      [
        ["ds01", "server", "192.168.8.141"],
        ["ds02", "server", "192.168.8.142"],
        ["ds03", "server", "192.168.8.143"],
        ["ds04", "agent", "192.168.8.144"],
        ["ds05", "agent", "192.168.8.145"],
        ["ds06", "agent", "192.168.8.146"],
      ],
    );
    assert.strictEqual(ofType("openstack:compute/instance:Instance").length, 6);
  });

  it("parents nodes under the cluster and OpenStack resources under their node", async () => {
    // The mock monitor qualifies a URN's type with the immediate parent's type only.
    assert.match(await resolve(cluster.nodes[0].urn), /::ecs:index:Cluster\$ecs:index:Node::ds01$/);
    assert.match(
      await resolve(cluster.nodes[0].instance.urn),
      /::ecs:index:Node\$openstack:compute\/instance:Instance::ds01-vm$/,
    );
    assert.match(
      await resolve(cluster.nodes[5].port.urn),
      /::ecs:index:Node\$openstack:networking\/port:Port::ds06-port$/,
    );
    assert.match(
      await resolve(cluster.serverGroups.server.urn),
      /::ecs:index:Cluster\$openstack:compute\/serverGroup:ServerGroup::/,
    );
  });

  it("puts each role in its own server group with the right affinity policy", () => {
    const groups = ofType("openstack:compute/serverGroup:ServerGroup");
    assert.deepStrictEqual(groups.map((g) => [g.name, g.inputs.policies]).sort(), [
      ["ecs-openstack-agents", ["soft-anti-affinity"]],
      ["ecs-openstack-servers", ["anti-affinity"]],
    ]);
    for (const vm of ofType("openstack:compute/instance:Instance")) {
      const role = (vm.inputs.metadata as Record<string, string>)["ecs-role"];
      const hints = vm.inputs.schedulerHints as Array<{ group: string }>;
      assert.deepStrictEqual(
        hints,
        [{ group: `ecs-openstack-${role}s-id` }],
        `${vm.name} scheduled in its role's group`,
      );
    }
  });

  it("gives every node a port with its fixed IP, used by its VM", () => {
    for (const node of config.nodes) {
      const port = ofType("openstack:networking/port:Port").find((p) => p.name === `${node.name}-port`);
      assert.ok(port, `${node.name} has a port`);
      assert.deepStrictEqual(port.inputs.fixedIps, [
        { subnetId: config.openstack.subnetId, ipAddress: node.ip },
      ]);
      const vm = ofType("openstack:compute/instance:Instance").find((v) => v.name === `${node.name}-vm`);
      assert.ok(vm);
      assert.deepStrictEqual(vm.inputs.networks, [{ port: `${node.name}-port-id` }]);
      const sgs = port.inputs.securityGroupIds as string[];
      assert.deepStrictEqual(
        sgs,
        node.role === "server"
          ? ["ecs-openstack-cluster-id", "ecs-openstack-servers-id"]
          : ["ecs-openstack-cluster-id"],
      );
    }
  });

  it("keeps data on a separate volume attached to the VM", () => {
    const volumes = ofType("openstack:blockstorage/volume:Volume");
    assert.deepStrictEqual(
      volumes.map((v) => v.inputs.size),
      Array(6).fill(500),
    );
    for (const node of config.nodes) {
      const attach = ofType("openstack:compute/volumeAttach:VolumeAttach").find(
        (a) => a.name === `${node.name}-data-attach`,
      );
      assert.ok(attach);
      assert.deepStrictEqual(attach.inputs, {
        instanceId: `${node.name}-vm-id`,
        volumeId: `${node.name}-data-id`,
      });
    }
  });

  it("opens no security rule to the world and limits sources to the subnet, admin CIDRs or servers", () => {
    const rules = ofType("openstack:networking/secGroupRule:SecGroupRule");
    assert.ok(rules.length > 10);
    const allowed = new Set([config.openstack.subnetCidr, ...config.openstack.adminCidrs]);
    for (const r of rules) {
      const prefix = r.inputs.remoteIpPrefix as string | undefined;
      assert.notStrictEqual(prefix, "0.0.0.0/0", r.name);
      assert.notStrictEqual(prefix, "::/0", r.name);
      if (prefix === undefined)
        assert.strictEqual(r.inputs.remoteGroupId, "ecs-openstack-servers-id", r.name);
      else assert.ok(allowed.has(prefix), `${r.name} source ${prefix} is not the subnet or an admin CIDR`);
      assert.strictEqual(r.inputs.direction, "ingress");
    }
  });

  it("opens the ports ECS and RKE2 need", () => {
    const rules = ofType("openstack:networking/secGroupRule:SecGroupRule");
    const opens = (proto: string, min: number, max: number, sg: string) =>
      rules.some(
        (r) =>
          r.inputs.protocol === proto &&
          r.inputs.portRangeMin === min &&
          r.inputs.portRangeMax === max &&
          r.inputs.securityGroupId === sg,
      );
    const servers = "ecs-openstack-servers-id";
    const all = "ecs-openstack-cluster-id";
    assert.ok(opens("tcp", 6443, 6443, servers), "kube-apiserver");
    assert.ok(opens("tcp", 9345, 9345, servers), "RKE2 supervisor");
    assert.ok(opens("tcp", 2379, 2380, servers), "etcd");
    assert.ok(opens("tcp", 10250, 10250, all), "kubelet");
    assert.ok(opens("tcp", 80, 80, all) && opens("tcp", 443, 443, all), "ingress");
    assert.ok(opens("udp", 8472, 8472, all), "CNI VXLAN");
    assert.ok(opens("tcp", 30000, 32767, all), "NodePorts");
    assert.ok(opens("tcp", 9000, 9000, all), "CM agent");
    const etcd = rules.filter((r) => r.inputs.portRangeMin === 2379);
    assert.ok(
      etcd.every((r) => r.inputs.remoteGroupId === servers && !r.inputs.remoteIpPrefix),
      "etcd only from servers",
    );
  });

  it("chains each node's stages: VM -> data attachment -> CM host -> VM power -> CM role -> Kubernetes membership", () => {
    const byName = (t: string, n: string) => ofType(t).find((r) => r.name === n);
    for (const node of config.nodes) {
      const attach = byName("openstack:compute/volumeAttach:VolumeAttach", `${node.name}-data-attach`);
      assert.strictEqual(attach?.inputs.instanceId, `${node.name}-vm-id`);
      const host = byName("pulumi-nodejs:dynamic/cloudera:ClusterHost", `${node.name}-cm-host`);
      assert.ok(host, `${node.name} has a CM host stage`);
      assert.strictEqual(host.inputs.instanceId, `${node.name}-vm-id`);
      assert.strictEqual(
        host.inputs.dataAttachmentId,
        `${node.name}-data-attach-id`,
        "the host comes after the attachment",
      );
      assert.strictEqual(host.inputs.ipAddress, node.ip, "a host is accepted only at the node's IP");
      assert.strictEqual(host.inputs.hostname, node.hostname);
      const power = byName("pulumi-nodejs:dynamic/openstack:VmPower", `${node.name}-power`);
      assert.ok(power, `${node.name} has a VM power stage`);
      assert.strictEqual(
        power.inputs.upstream,
        `${node.name}-cm-host-host-id`,
        "the VM is powered off before the host goes",
      );
      assert.strictEqual(power.inputs.instanceId, `${node.name}-vm-id`);
      assert.ok(unwrapSecret(power.inputs.openstackAuth).secret, "the OpenStack credentials are a secret");
      const role = byName("pulumi-nodejs:dynamic/cloudera:Role", `${node.name}-cm-role`);
      assert.ok(role);
      assert.strictEqual(
        role.inputs.powerId,
        `${node.name}-power-id`,
        "the role goes before the VM is powered off",
      );
      assert.strictEqual(role.inputs.roleType, node.role === "server" ? "ECS_SERVER" : "ECS_AGENT");
      const member = byName("command:local:Command", `${node.name}-k8s-membership`);
      assert.ok(member);
      assert.deepStrictEqual(member.inputs.triggers, [`${node.name}-cm-role-id`]);
      assert.match(member.inputs.delete as string, /^node bin\/components\/kube\/membership\.js delete$/);
      const env = member.inputs.environment as Record<string, string>;
      assert.strictEqual(env.ECS_NODE, node.hostname);
      assert.strictEqual(env.ECS_EVACUATION, "drain");
      assert.strictEqual(env.ECS_INSTANCE_ID, `${node.name}-vm-id`);
      assert.deepStrictEqual(
        JSON.parse(env.ECS_CLUSTER).nodes.map(
          (n: { hostname: string; ip: string }) => `${n.hostname}=${n.ip}`,
        ),
        config.nodes.map((n) => `${n.hostname}=${n.ip}`),
        "the stage knows the configured nodes (cluster identity, quorum)",
      );
      const stdin = unwrapSecret(member.inputs.stdin);
      assert.ok(stdin.secret, "credentials travel on stdin, as a secret");
      const secrets = JSON.parse(stdin.value as string);
      assert.strictEqual(secrets.openstackAuth.password, "os-test-password");
      assert.strictEqual(
        secrets.sshPrivateKey === undefined,
        node.role === "agent",
        "only servers get the SSH key",
      );
      const plain = { ...member.inputs, stdin: undefined };
      assert.ok(
        !/password|BEGIN/i.test(JSON.stringify(plain)),
        "no secrets in the environment or command text",
      );
      const intent = byName("command:local:Command", `${node.name}-evacuation-intent`);
      assert.ok(intent && !intent.inputs.delete, "the intent stage has no delete half");
      // RKE2 prep between host and role: bound to the role by identity, idle until a rejoin.
      const prep = byName("command:remote:Command", `${node.name}-rke2-prep`);
      assert.ok(prep, `${node.name} has an RKE2 prep stage`);
      assert.strictEqual(role.inputs.rke2PrepId, `${node.name}-rke2-prep-id`);
      assert.deepStrictEqual(prep.inputs.triggers, [0]);
      assert.strictEqual(prep.inputs.create, undefined, "no command runs on a node that never rejoined");
      assert.strictEqual(prep.inputs.delete, undefined, "delete halves never need the node");
      const connection = unwrapSecret(prep.inputs.connection);
      assert.ok(connection.secret, "the connection (it carries the private key) is a secret");
      const conn = connection.value as Record<string, unknown>;
      assert.strictEqual(conn.host, node.ip);
      assert.strictEqual(conn.user, "root");
      const preflight = byName("command:remote:Command", `${node.name}-rke2-preflight`);
      assert.ok(preflight && preflight.inputs.create === undefined);
    }
    const refresh = ofType("pulumi-nodejs:dynamic/cloudera:Refresh");
    assert.strictEqual(refresh.length, 1);
    assert.deepStrictEqual(
      refresh[0].inputs.triggers,
      config.nodes.map((n) => `${n.name}-cm-role-id`),
    );
  });

  it("runs one health gate after every node's membership and the CM refresh, with the CM password secret", () => {
    const gates = ofType("command:local:Command").filter((r) => r.name.endsWith("-health-gate"));
    assert.strictEqual(gates.length, 1);
    const environment = unwrapSecret(gates[0].inputs.environment);
    assert.ok(!environment.secret, "the gate's environment stays readable: its secrets are on stdin");
    const env = environment.value as Record<string, string>;
    const stdin = unwrapSecret(gates[0].inputs.stdin);
    assert.ok(stdin.secret);
    assert.strictEqual(JSON.parse(stdin.value as string).cmPassword, "test-password");
    assert.match(JSON.parse(stdin.value as string).cmCaBundle, /lab CA/, "CM's CA bundle reaches the gate");
    assert.ok(!/password/i.test(JSON.stringify(env)), "no password in the environment");
    assert.match(gates[0].inputs.create as string, /^node bin\/components\/health\/healthGate\.js$/);
    assert.strictEqual(gates[0].inputs.update, gates[0].inputs.create);
    assert.deepStrictEqual(
      env.ECS_GATE_AFTER.split(",").slice(0, 6),
      config.nodes.map((n) => `${n.name}-k8s-membership-id`),
    );
    assert.deepStrictEqual(
      JSON.parse(env.ECS_CLUSTER).nodes.map((n: { hostname: string }) => n.hostname),
      config.nodes.map((n) => n.hostname),
    );
    assert.deepStrictEqual(
      JSON.parse(env.ECS_GATE_MACHINES).map((m: { instanceId: string }) => m.instanceId),
      config.nodes.map((n) => `${n.name}-vm-id`),
      "the gate checks every VM and its data volume in Nova",
    );
    assert.ok(!/password/i.test(gates[0].inputs.create as string), "no secret in the command text");
  });

  it("points cloud-init at Cloudera Manager and records the rebuild generation", () => {
    for (const vm of ofType("openstack:compute/instance:Instance")) {
      const userData = vm.inputs.userData as string;
      assert.match(userData, /^#cloud-config\n/);
      assert.match(userData, /server_host=cm\.ecs\.openstack\.com\//);
      assert.match(userData, /cloudera-manager-agent/);
      assert.match(userData, /rebuild generation 0/);
      assert.ok(!/password/i.test(userData), "no secrets in user data");
    }
  });
});
