import * as assert from "assert";
import { cmHttps } from "../src/cloudera";
import { nodeDeleteBeforeReplace, stageChainWired } from "../src/lifecycle";
import { noWorldOpenControlPorts, noWorldOpenTogether } from "../src/network";
import { noPlaintextSecrets } from "../src/secrets";
import { flavorMinimums, imageAllowed } from "../src/sizing";
import { oddServerCount, serverGroupAffinity } from "../src/topology";
import { TYPES } from "../src/types";
import { FakeResource, runResourcePolicy, runStackPolicy } from "./harness";

const group = (name: string, policy: string): FakeResource => ({
  type: TYPES.serverGroup,
  name,
  props: { name, policies: [policy] },
});
const serversGroup = group("servers", "anti-affinity");
const agentsGroup = group("agents", "soft-anti-affinity");

function vm(n: number, role: "server" | "agent", over: Partial<FakeResource> = {}): FakeResource {
  return {
    type: TYPES.instance,
    name: `ds0${n}-vm`,
    props: {
      name: `ds0${n}`,
      flavorName: role === "server" ? "ecs.server.16c64g" : "ecs.agent.32c128g",
      imageName: "rhel-8.8-ecs",
      metadata: { "ecs-role": role, "ecs-hostname": `ds0${n}.ecs.example.com` },
      userData: "#cloud-config\nhostname: x\n",
    },
    opts: { deleteBeforeReplace: true },
    deps: { schedulerHints: [role === "server" ? serversGroup : agentsGroup] },
    ...over,
  };
}

/** A well-formed six-node cluster with each node's stages chained to its VM. */
function goodCluster(): FakeResource[] {
  const vms = [
    vm(1, "server"),
    vm(2, "server"),
    vm(3, "server"),
    vm(4, "agent"),
    vm(5, "agent"),
    vm(6, "agent"),
  ];
  const stages = vms.flatMap((v) => {
    const cm = { cmUrl: "https://cm.example.com:7183", cmPassword: "x" };
    const attach: FakeResource = {
      type: TYPES.volumeAttach,
      name: `${v.props.name}-data-attach`,
      props: {},
      deps: { instanceId: [v] },
    };
    const host: FakeResource = {
      type: TYPES.cmHost,
      name: `${v.props.name}-cm-host`,
      props: cm,
      opts: { additionalSecretOutputs: ["cmPassword"] },
      deps: { instanceId: [v], dataAttachmentId: [attach] },
    };
    const power: FakeResource = {
      type: TYPES.vmPower,
      name: `${v.props.name}-power`,
      props: {},
      deps: { instanceId: [v], upstream: [host] },
    };
    const prep: FakeResource = {
      type: TYPES.remoteCommand,
      name: `${v.props.name}-rke2-prep`,
      props: { create: "/opt/cloudera/parcels/ECS/bin/rke2-uninstall.sh" },
      dependsOn: [power],
    };
    const role: FakeResource = {
      type: TYPES.cmRole,
      name: `${v.props.name}-cm-role`,
      props: cm,
      opts: { additionalSecretOutputs: ["cmPassword"] },
      deps: { hostId: [host], powerId: [power], rke2PrepId: [prep] },
    };
    const membership: FakeResource = {
      type: TYPES.command,
      name: `${v.props.name}-k8s-membership`,
      props: { create: "node membership.ts create", delete: "node membership.ts delete" },
      deps: { triggers: [role] },
    };
    return [attach, host, power, prep, role, membership];
  });
  return [serversGroup, agentsGroup, ...vms, ...stages];
}

describe("policy pack", () => {
  describe("ecs-odd-server-count", () => {
    it("passes three servers", async () => {
      assert.deepStrictEqual(await runStackPolicy(oddServerCount(), goodCluster()), []);
    });
    it("fails four servers and two servers", async () => {
      const four = [...goodCluster(), vm(7, "server")];
      assert.match(
        (await runStackPolicy(oddServerCount(), four))[0],
        /4 ECS Server node\(s\); etcd needs an odd number/,
      );
      const two = goodCluster().filter((r) => r.name !== "ds03-vm");
      assert.match((await runStackPolicy(oddServerCount(), two))[0], /2 ECS Server node\(s\).*1 more node/);
    });
  });

  describe("ecs-server-group-affinity", () => {
    it("passes servers in anti-affinity and agents in soft-anti-affinity", async () => {
      assert.deepStrictEqual(await runStackPolicy(serverGroupAffinity(), goodCluster()), []);
    });
    it("fails a server in a soft-anti-affinity group and a node without a group", async () => {
      const resources = [
        vm(1, "server", { deps: { schedulerHints: [agentsGroup] } }),
        vm(4, "agent", { deps: {} }),
      ];
      const v = await runStackPolicy(serverGroupAffinity(), resources);
      assert.strictEqual(v.length, 2);
      assert.match(
        v[0],
        /ECS server node ds01.ecs.example.com is not in a server group with policy anti-affinity/,
      );
      assert.match(v[1], /ECS agent node ds04.* anti-affinity or soft-anti-affinity/);
    });
  });

  describe("ecs-no-world-open-control-ports", () => {
    const rule = (props: Record<string, unknown>): FakeResource => ({
      type: TYPES.secGroupRule,
      name: "rule",
      props: { direction: "ingress", protocol: "tcp", ...props },
    });
    it("passes control ports from the subnet and world-open ingress on 443", async () => {
      const p = noWorldOpenControlPorts();
      assert.deepStrictEqual(
        await runResourcePolicy(
          p,
          rule({ portRangeMin: 6443, portRangeMax: 6443, remoteIpPrefix: "192.168.8.0/24" }),
        ),
        [],
      );
      assert.deepStrictEqual(
        await runResourcePolicy(
          p,
          rule({ portRangeMin: 443, portRangeMax: 443, remoteIpPrefix: "0.0.0.0/0" }),
        ),
        [],
      );
      assert.deepStrictEqual(
        await runResourcePolicy(p, rule({ portRangeMin: 2379, portRangeMax: 2380, remoteGroupId: "sg" })),
        [],
      );
    });
    for (const [what, props, message] of [
      [
        "6443 to 0.0.0.0/0",
        { portRangeMin: 6443, portRangeMax: 6443, remoteIpPrefix: "0.0.0.0/0" },
        /Kubernetes API port 6443 to 0.0.0.0\/0/,
      ],
      [
        "9345 to ::/0",
        { portRangeMin: 9345, portRangeMax: 9345, remoteIpPrefix: "::/0", ethertype: "IPv6" },
        /RKE2 supervisor port 9345 to ::\/0/,
      ],
      [
        "etcd to any source",
        { portRangeMin: 2379, portRangeMax: 2380 },
        /etcd ports 2379-2380 to any source/,
      ],
      ["all TCP ports to the world", { remoteIpPrefix: "0.0.0.0/0" }, /kubelet port 10250/],
      [
        "a range covering kubelet",
        { portRangeMin: 10000, portRangeMax: 11000, remoteIpPrefix: "0.0.0.0/0" },
        /kubelet port 10250/,
      ],
    ] as Array<[string, Record<string, unknown>, RegExp]>) {
      it(`fails ${what}`, async () => {
        const v = await runResourcePolicy(noWorldOpenControlPorts(), rule(props));
        assert.ok(
          v.some((m) => message.test(m)),
          v.join("\n"),
        );
        assert.ok(v.every((m) => /Fix: /.test(m)));
      });
    }
  });

  describe("ecs-node-delete-before-replace", () => {
    it("passes a delete-before-replace instance and ignores non-ECS instances", async () => {
      assert.deepStrictEqual(await runResourcePolicy(nodeDeleteBeforeReplace(), vm(1, "server")), []);
      const other = { type: TYPES.instance, name: "bastion", props: { name: "bastion" } };
      assert.deepStrictEqual(await runResourcePolicy(nodeDeleteBeforeReplace(), other), []);
    });
    it("fails an ECS instance without it", async () => {
      const v = await runResourcePolicy(nodeDeleteBeforeReplace(), vm(2, "server", { opts: {} }));
      assert.match(v[0], /ds02.ecs.example.com is not delete-before-replace/);
    });
  });

  describe("ecs-no-world-open-together", () => {
    const apiRule = (name: string, remoteIpPrefix: string): FakeResource => ({
      type: TYPES.secGroupRule,
      name,
      props: {
        direction: "ingress",
        protocol: "tcp",
        portRangeMin: 6443,
        portRangeMax: 6443,
        remoteIpPrefix,
      },
    });
    it("passes admin networks that leave the rest of the internet out", async () => {
      const resources = [apiRule("a", "10.20.0.0/16"), apiRule("b", "192.168.8.0/24")];
      assert.deepStrictEqual(await runStackPolicy(noWorldOpenTogether(), resources), []);
    });
    it("fails two halves of the internet on the API port", async () => {
      const v = await runStackPolicy(noWorldOpenTogether(), [
        apiRule("a", "0.0.0.0/1"),
        apiRule("b", "128.0.0.0/1"),
      ]);
      assert.match(
        v[0],
        /Kubernetes API port is open to every IPv4 address through several rules together \(a: 0\.0\.0\.0\/1, b: 128\.0\.0\.0\/1\)/,
      );
    });
  });

  describe("ecs-stage-chain-wired", () => {
    it("passes a cluster whose every node has its chain", async () => {
      assert.deepStrictEqual(await runStackPolicy(stageChainWired(), goodCluster()), []);
    });
    it("fails a node with no CM host stage", async () => {
      const resources = goodCluster().filter((r) => r.name !== "ds05-cm-host");
      const v = await runStackPolicy(stageChainWired(), resources);
      assert.strictEqual(v.length, 1);
      assert.match(
        v[0],
        /ds05.ecs.example.com has no CM cluster host stage bound to its VolumeAttach through the input "dataAttachmentId"/,
      );
    });
    it("fails a node whose CM host is bound to the VM but not to the data attachment (a detach from a running VM)", async () => {
      const resources = goodCluster().map((r) =>
        r.name === "ds04-cm-host" ? { ...r, deps: { instanceId: r.deps!.instanceId } } : r,
      );
      const v = await runStackPolicy(stageChainWired(), resources);
      assert.strictEqual(v.length, 1);
      assert.match(v[0], /ds04.ecs.example.com has no CM cluster host stage bound to its VolumeAttach/);
    });
    it("fails a node without the VM power stage between CM host and role", async () => {
      const resources = goodCluster().filter((r) => r.name !== "ds01-power");
      const v = await runStackPolicy(stageChainWired(), resources);
      assert.match(
        v[0],
        /ds01.ecs.example.com has no VM power stage bound to its ClusterHost through the input "upstream"/,
      );
    });
    it("fails a node whose Kubernetes membership is not triggered by its role", async () => {
      const resources = goodCluster().map((r) => (r.name === "ds06-k8s-membership" ? { ...r, deps: {} } : r));
      const v = await runStackPolicy(stageChainWired(), resources);
      assert.match(
        v[0],
        /ds06.ecs.example.com has no Kubernetes membership stage bound to its Role through the input "triggers"/,
      );
    });
    it("fails a role not bound to an RKE2 prep, or a prep that does not come after the CM host", async () => {
      const unbound = goodCluster().map((r) =>
        r.name === "ds03-cm-role" ? { ...r, deps: { hostId: r.deps!.hostId, powerId: r.deps!.powerId } } : r,
      );
      const v1 = await runStackPolicy(stageChainWired(), unbound);
      assert.strictEqual(v1.length, 1);
      assert.match(
        v1[0],
        /ds03.ecs.example.com: its CM role is not bound to an RKE2 prep stage through the input "rke2PrepId"/,
      );
      const early = goodCluster();
      early.find((r) => r.name === "ds04-rke2-prep")!.dependsOn = [];
      const v2 = await runStackPolicy(stageChainWired(), early);
      assert.strictEqual(v2.length, 1);
      assert.match(v2[0], /ds04.ecs.example.com: .*does not come after the VmPower/);
    });
    it("fails a role chained by dependsOn only (no property dependency)", async () => {
      const resources = goodCluster().map((r) => (r.name === "ds02-cm-role" ? { ...r, deps: {} } : r));
      const v = await runStackPolicy(stageChainWired(), resources);
      assert.match(
        v[0],
        /ds02.ecs.example.com has no CM role stage bound to its VmPower through the input "powerId"/,
      );
    });
  });

  describe("ecs-cm-https", () => {
    const stage = (props: Record<string, unknown>): FakeResource => ({
      type: TYPES.cmRole,
      name: "ds01-cm-role",
      props,
    });
    it("passes https with verification", async () => {
      assert.deepStrictEqual(await runResourcePolicy(cmHttps(), stage({ cmUrl: "https://cm:7183" })), []);
    });
    it("fails plain http and disabled verification", async () => {
      assert.match(
        (await runResourcePolicy(cmHttps(), stage({ cmUrl: "http://cm:7180" })))[0],
        /without TLS/,
      );
      const v = await runResourcePolicy(
        cmHttps(),
        stage({ cmUrl: "https://cm:7183", cmInsecureSkipTlsVerify: true }),
      );
      assert.match(v[0], /skips verification/);
    });
  });

  describe("ecs-flavor-minimums", () => {
    it("passes the default flavors and sizes read from the flavor name", async () => {
      assert.deepStrictEqual(await runResourcePolicy(flavorMinimums(), vm(1, "server")), []);
      const named = vm(4, "agent", { props: { ...vm(4, "agent").props, flavorName: "gp.24c96g" } });
      assert.deepStrictEqual(await runResourcePolicy(flavorMinimums(), named), []);
    });
    it("fails a small flavor and an unknown one", async () => {
      const small = vm(1, "server", { props: { ...vm(1, "server").props, flavorName: "m1.xlarge" } });
      const config = { flavors: { "m1.xlarge": { vcpus: 8, ramGb: 16 } } };
      assert.match(
        (await runResourcePolicy(flavorMinimums(), small, config))[0],
        /\(8 vCPU, 16 GiB\), below the ECS server minimum of 16 vCPU and 64 GiB/,
      );
      const unknown = vm(1, "server", { props: { ...vm(1, "server").props, flavorName: "mystery" } });
      assert.match((await runResourcePolicy(flavorMinimums(), unknown))[0], /does not know.*Fix: add it/);
    });
    it("takes minimums from policy config", async () => {
      const config = { minimums: { server: { vcpus: 32, ramGb: 128 }, agent: { vcpus: 16, ramGb: 64 } } };
      assert.match(
        (await runResourcePolicy(flavorMinimums(), vm(1, "server"), config))[0],
        /minimum of 32 vCPU/,
      );
    });
  });

  describe("ecs-image-allowed", () => {
    it("passes an allowed image", async () => {
      assert.deepStrictEqual(await runResourcePolicy(imageAllowed(), vm(1, "server")), []);
    });
    it("fails an image off the configured list", async () => {
      const v = await runResourcePolicy(imageAllowed(), vm(1, "server"), {
        allowedImages: ["centos-7.9-ecs"],
      });
      assert.match(v[0], /"rhel-8.8-ecs", which is not on the allowed list \(centos-7.9-ecs\)/);
    });
  });

  describe("ecs-no-plaintext-secrets", () => {
    it("passes clean user data, commands and a CM stage with a secret password", async () => {
      for (const r of goodCluster())
        assert.deepStrictEqual(await runResourcePolicy(noPlaintextSecrets(), r), [], r.name);
      const cmd = {
        type: TYPES.command,
        name: "drain",
        props: { create: "kubectl drain ds04 --timeout=600s" },
      };
      assert.deepStrictEqual(await runResourcePolicy(noPlaintextSecrets(), cmd), []);
    });
    for (const [what, r, message] of [
      [
        "a password in user data",
        vm(1, "server", { props: { ...vm(1, "server").props, userData: "password: hunter2" } }),
        /userData contains a password assignment/,
      ],
      [
        "a key in a command",
        {
          type: TYPES.remoteCommand,
          name: "prep",
          props: { create: "echo '-----BEGIN OPENSSH PRIVATE KEY-----' > k" },
        },
        /create contains a private key/,
      ],
      [
        "credentials in a curl URL",
        { type: TYPES.command, name: "c", props: { delete: "curl https://admin:secret@cm:7183/api" } },
        /delete contains credentials in a URL/,
      ],
      [
        "a Nova admin password",
        vm(1, "server", { props: { ...vm(1, "server").props, adminPass: "x" } }),
        /sets adminPass/,
      ],
      [
        "a CM password not marked secret",
        { type: TYPES.cmHost, name: "h", props: { cmPassword: "x" } },
        /carries cmPassword without marking it secret/,
      ],
      [
        "OpenStack credentials of the VM power stage not marked secret",
        { type: TYPES.vmPower, name: "p", props: { openstackAuth: "{}" } },
        /carries openstackAuth without marking it secret/,
      ],
    ] as Array<[string, FakeResource, RegExp]>) {
      it(`fails ${what}`, async () => {
        const v = await runResourcePolicy(noPlaintextSecrets(), r);
        assert.ok(
          v.some((m) => message.test(m)),
          v.join("\n"),
        );
      });
    }
  });
});
