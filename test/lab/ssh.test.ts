import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { startEcsLab, type EcsLab } from "../../lab/ecs";
import { ECS_BIN_DIR } from "../../lab/ecs/nodeAgent";
import { rke2Label } from "../../lab/ecs/rke2";
import { labStackConfig } from "../../lab/ecs/stackConfig";
import { sshdPreflight } from "../../lab/ecs/sshd";
import { labStatus, renderStatus } from "../../lab/ecs/status";
import type { LabNode } from "../../lab/ecs/wiring";
import { labBinaries } from "../../lab/kube/binaries";
import { Node, nodeReady } from "../../lab/kube/k8s-types";
import { sleep, waitFor } from "../../lab/kube/wait";

// The lab's sshd, one real OpenSSH server per node, checked with the real OpenSSH client, and the
// RKE2 scripts it serves: what the runbook's stage 3.2 (rke2-killall.sh, rke2-uninstall.sh) does
// to a node, including RKE2's refusal to start a server whose etcd member was removed.

const KILLALL = `${ECS_BIN_DIR}/rke2-killall.sh`;
const UNINSTALL = `${ECS_BIN_DIR}/rke2-uninstall.sh`;
const REMOVE = "etcd.rke2.cattle.io/remove";
const REMOVED = "etcd.rke2.cattle.io/removed-node-name";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) =>
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

function missingPrerequisite(): string | undefined {
  try {
    labBinaries();
  } catch (e) {
    return (e as Error).message;
  }
  if (!fs.existsSync("/usr/sbin/sshd"))
    return "OpenSSH's sshd is not installed (apt-get install openssh-server)";
  if (process.getuid?.() !== 0) return "the lab's sshd needs root";
  return undefined;
}

describe("embedded lab: one sshd per node, RKE2 scripts acting on the lab", function () {
  this.timeout(600_000);
  let lab: EcsLab;
  let tmp: string;
  let keyFile: string;
  let knownHosts: string;
  const logs: string[] = [];

  before(async function () {
    const missing = missingPrerequisite();
    if (missing) {
      // Required in CI (ECS_LAB_REQUIRED=1); elsewhere say loudly why nothing ran.
      if (process.env.ECS_LAB_REQUIRED === "1") throw new Error(missing);
      console.warn(`    ${missing}: skipping the lab sshd tests`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-ssh-test-"));
    const t0 = Date.now();
    lab = await startEcsLab({
      dir: path.join(tmp, "lab"),
      openstackPassword: "lab-openstack-password",
      cmPassword: "lab-cm-password",
      log: (m) => logs.push(m),
    });
    console.log(
      `    lab with sshd ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (ssh port ${lab.ssh.port})`,
    );
    keyFile = path.join(tmp, "id_lab");
    fs.writeFileSync(keyFile, lab.ssh.privateKey, { mode: 0o600 });
    knownHosts = writeKnownHosts("known_hosts", (n) => lab.ssh.hostKeys[n.name]);
  });

  after(async () => {
    await lab?.stop();
    if (tmp && !process.env.KEEP_LAB) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const node = (name: string): LabNode => lab.nodes.find((n) => n.name === name)!;
  const hostPattern = (n: LabNode) => (lab.ssh.port === 22 ? n.ip : `[${n.ip}]:${lab.ssh.port}`);
  function writeKnownHosts(file: string, key: (n: LabNode) => string): string {
    const p = path.join(tmp, file);
    fs.writeFileSync(p, lab.nodes.map((n) => `${hostPattern(n)} ${key(n)}\n`).join(""));
    return p;
  }

  /** The real OpenSSH client, strict about host keys, with only the given key. */
  const ssh = (name: string, command: string, opts: { knownHosts?: string; key?: string } = {}) =>
    exec("ssh", [
      "-i",
      opts.key ?? keyFile,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${opts.knownHosts ?? knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "ConnectTimeout=10",
      "-p",
      String(lab.ssh.port),
      `${lab.ssh.user}@${node(name).ip}`,
      command,
    ]);

  const kubeNode = async (name: string): Promise<Node | undefined> => {
    const r = await lab.kube.kubectl.run(["get", "node", node(name).hostname, "-o", "json"]);
    return r.code === 0 ? (JSON.parse(r.stdout) as Node) : undefined;
  };
  const condition = (n: Node | undefined, type: string) =>
    n?.status?.conditions?.find((c) => c.type === type)?.status;
  const rke2 = (name: string) => rke2Label(lab.wiring.rke2State(name));

  // --- the VM and CM side of a node, as pulumi up would leave it ---------------------------------

  /** Nova says the node's VM booted (the lab hook the simulator fires at ACTIVE). */
  function bootVm(name: string): void {
    lab.openstack.hooks.emitServer({
      type: "active",
      serverId: `ssh-test-vm-${name}`,
      name,
      host: "lab-hv-1",
      fixedIps: [node(name).ip],
      status: "ACTIVE",
      at: new Date().toISOString(),
    });
  }

  async function roleCommand(roleName: string, action: "start" | "stop"): Promise<void> {
    const cm = lab.cm.state;
    const { commands, errors } = cm.roleCommand(cm.clusterName, "ecs", action, [roleName]);
    assert.deepEqual(errors, []);
    const done = await waitFor(
      `CM ${action} of ${roleName}`,
      () => (commands[0].active ? undefined : commands[0]),
      10_000,
      100,
    );
    assert.ok(done.success, `${action}: ${done.resultMessage}`);
  }

  /** VM up, CM host in the cluster, ECS role created and started: the node joins, Ready. */
  async function nodeInCluster(name: string): Promise<string> {
    const n = node(name);
    bootVm(name);
    const cm = lab.cm.state;
    cm.addHostsToCluster(cm.clusterName, [{ hostname: n.hostname }]);
    const role = cm.createRole(cm.clusterName, "ecs", {
      type: n.role === "server" ? "ECS_SERVER" : "ECS_AGENT",
      hostRef: { hostname: n.hostname },
    });
    await roleCommand(role.name, "start");
    await waitReady(name);
    return role.name;
  }

  const waitReady = (name: string) =>
    waitFor(
      `${name} Ready`,
      async () => (condition(await kubeNode(name), "Ready") === "True" ? true : undefined),
      90_000,
    );

  // --- the tests ----------------------------------------------------------------------------------

  it("serves every node on its own address with its own host key; a session knows its node", async () => {
    const keys = Object.values(lab.ssh.hostKeys);
    assert.equal(new Set(keys).size, 6, "six distinct host keys");
    for (const k of keys) assert.match(k, /^ssh-ed25519 AAAA[0-9A-Za-z+/=]+$/);
    assert.match(lab.ssh.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const sessions = await Promise.all(
      lab.nodes.map((n) => ssh(n.name, 'echo "$(id -un) $ECS_LAB_NODE $ECS_LAB_AGENT_URL"')),
    );
    lab.nodes.forEach((n, i) => {
      assert.equal(sessions[i].code, 0, sessions[i].stderr);
      assert.equal(sessions[i].stdout.trim(), `root ${n.name} ${lab.nodeAgentUrl}`);
    });
    for (const script of [KILLALL, UNINSTALL]) {
      assert.equal(fs.statSync(script).mode & 0o777, 0o755, script);
    }
  });

  it("(a) a client expecting another host key is refused, and so is a key the nodes do not know", async () => {
    // ds01's address with ds02's key: what a rebuilt VM (new host key) or a spoofed address looks like.
    const wrong = writeKnownHosts(
      "wrong_known_hosts",
      (n) => lab.ssh.hostKeys[n.name === "ds01" ? "ds02" : n.name],
    );
    const r = await ssh("ds01", "true", { knownHosts: wrong });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);

    const stranger = path.join(tmp, "id_stranger");
    const keygen = await exec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    assert.equal(keygen.code, 0, keygen.stderr);
    const denied = await ssh("ds01", "true", { key: stranger });
    assert.equal(denied.code, 255);
    assert.match(denied.stderr, /Permission denied \(publickey\)/);
  });

  it("(b) rke2-killall.sh over SSH on ds04 stops its RKE2: NotReady until the CM role is started again", async () => {
    const role = await nodeInCluster("ds04");
    assert.equal(rke2("ds04"), "running");
    const t0 = Date.now();
    const r = await ssh("ds04", KILLALL);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ds04: stopped the RKE2 processes/);
    assert.equal(rke2("ds04"), "stopped");
    await waitFor(
      "ds04 NotReady",
      async () => (condition(await kubeNode("ds04"), "Ready") !== "True" ? true : undefined),
      60_000,
    );
    console.log(`      ds04 NotReady ${((Date.now() - t0) / 1000).toFixed(1)} s after rke2-killall.sh`);
    // A VM reboot does not bring it back (CM still says STARTED); a role start does.
    bootVm("ds04");
    await sleep(1000);
    assert.equal(rke2("ds04"), "stopped");
    await roleCommand(role, "stop");
    await roleCommand(role, "start");
    await waitReady("ds04");
    assert.equal(rke2("ds04"), "running");
  });

  it("refuses the scripts on a node whose VM is not running, and outside a lab session", async () => {
    // ds05 has no VM in this lab (pulumi up never ran): a real node would not even answer.
    const r = await ssh("ds05", KILLALL);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rke2-killall\.sh: the lab refused \(HTTP 409\): .*ds05 has no running VM/);
    // The same through bash's /dev/tcp, the scripts' way when curl is missing.
    const tcp = await ssh("ds05", `ECS_LAB_HTTP=devtcp ${UNINSTALL}`);
    assert.equal(tcp.code, 1);
    assert.match(tcp.stderr, /rke2-uninstall\.sh: the lab refused \(HTTP 409\)/);
    const env = { ...process.env };
    delete env.ECS_LAB_NODE;
    delete env.ECS_LAB_AGENT_URL;
    const outside = await exec(KILLALL, [], env);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /not on an ECS lab node/);
  });

  it("(c) a server whose etcd member was removed does not rejoin on stale data; after rke2-uninstall.sh it joins as a learner, then a voter", async () => {
    const name = "ds02";
    const hostname = node(name).hostname;
    const role = await nodeInCluster(name);
    await waitFor(
      "ds02 etcd voter",
      async () => (condition(await kubeNode(name), "EtcdIsVoter") === "True" ? true : undefined),
      30_000,
    );

    // The runbook's member removal, the RKE2 way, then the Node deleted.
    await lab.kube.kubectl.ok(["annotate", "node", hostname, `${REMOVE}=true`, "--overwrite"]);
    await waitFor(
      "removed-node-name",
      async () => (await kubeNode(name))?.metadata.annotations?.[REMOVED],
      30_000,
    );
    assert.equal(lab.rke2.members.get(hostname), undefined);
    assert.match(rke2(name), /^stale/);
    await lab.kube.kubectl.ok(["delete", "node", hostname, "--wait=true", "--timeout=60s"]);

    // The CM role restarted on stale data: RKE2 refuses, the node stays out.
    await roleCommand(role, "stop");
    await roleCommand(role, "start");
    await waitFor(
      "the refusal in the lab log",
      () =>
        logs.some((l) => l.startsWith(`${name}: rke2 server cannot start: etcd member was removed`))
          ? true
          : undefined,
      10_000,
    );
    assert.ok(
      logs.includes(
        `${name}: rke2 server cannot start: etcd member was removed from the cluster; wipe its data (rke2-uninstall.sh) and start the role again`,
      ),
    );
    await sleep(5000); // a joining kubelet registers within a second or two
    assert.equal(await kubeNode(name), undefined, "no Node while the data is stale");
    assert.equal(rke2(name), "stale");
    const table = renderStatus(await labStatus(lab));
    assert.match(table.split("\n")[0], /K8S NODE\s+RKE2\s+ETCD/);
    assert.match(table, /^ds02 .* stale /m);

    // Stage 3.2 of the runbook over SSH; then the role starts it on clean data.
    const wipe = await ssh(name, UNINSTALL);
    assert.equal(wipe.code, 0, wipe.stderr);
    assert.match(wipe.stdout, /removed RKE2 and its data/);
    assert.equal(rke2(name), "wiped");
    await roleCommand(role, "stop");
    await roleCommand(role, "start");
    const seen = new Set<string>();
    await waitFor(
      "ds02 Ready and a voter",
      async () => {
        const member = lab.rke2.members.get(hostname);
        if (member) seen.add(member);
        const n = await kubeNode(name);
        return condition(n, "Ready") === "True" && condition(n, "EtcdIsVoter") === "True" ? true : undefined;
      },
      90_000,
      200,
    );
    assert.ok(seen.has("learner"), `joined as a learner first (seen: ${[...seen].join(", ")})`);
    assert.equal(lab.rke2.members.get(hostname), "voter");
    assert.equal(rke2(name), "running");
    assert.equal(nodeReady((await kubeNode(name))!), "True");
  });

  it("(d) a server's etcd over SSH as RKE2 exposes it: member list and removal by ID with RKE2's client certificate; rke2 etcd-snapshot save/list", async () => {
    await nodeInCluster("ds03");
    const tls = "/var/lib/rancher/rke2/server/tls/etcd";
    const ip = node("ds03").ip;
    const etcd = (
      call: string,
      body: string,
      certs = `--cert ${tls}/server-client.crt --key ${tls}/server-client.key`,
    ) =>
      ssh(
        "ds03",
        `curl -sS --max-time 10 --cacert ${tls}/server-ca.crt ${certs} -X POST -d '${body}' https://${ip}:${lab.etcd.port}/v3/cluster/${call}`,
      );
    const list = await etcd("member/list", "{}");
    assert.equal(list.code, 0, list.stderr);
    const members = (
      JSON.parse(list.stdout) as { members: Array<{ ID: string; name: string; isLearner?: boolean }> }
    ).members;
    assert.deepEqual(
      members.map((m) => m.name.replace(/-[0-9a-f]{8}$/, "")).sort(),
      ["ds01", "ds02", "ds03"].map((n) => node(n).hostname),
    );
    for (const m of members) assert.match(m.ID, /^\d+$/, "etcd's JSON gateway writes IDs as decimal strings");
    const refused = await etcd("member/list", "{}", "");
    assert.notEqual(refused.code, 0, "a client without RKE2's client certificate is refused by TLS");

    const rke2Bin = `${ECS_BIN_DIR}/rke2`;
    const save = await ssh("ds03", `${rke2Bin} etcd-snapshot save --name lab-test`);
    assert.equal(save.code, 0, save.stderr);
    const file = /Saving etcd snapshot to (\S+)/.exec(save.stdout)?.[1];
    assert.ok(file && fs.statSync(file).size > 0, `snapshot file ${file} written`);
    assert.match(
      path.basename(file),
      new RegExp(`^lab-test-${node("ds03").hostname.replace(/\./g, "\\.")}-\\d+$`),
    );
    const listed = await ssh("ds03", `${rke2Bin} etcd-snapshot list`);
    assert.match(listed.stdout, new RegExp(`^${path.basename(file)} file://${file} \\d+ `, "m"));
    const agent = await ssh("ds04", `${rke2Bin} etcd-snapshot save`);
    assert.equal(agent.code, 1);
    assert.match(agent.stderr, /ds04 runs no etcd member/);
    const noVm = await ssh("ds05", `${rke2Bin} etcd-snapshot save`);
    assert.match(noVm.stderr, /ds05 has no running VM/);
    lab.wiring.failSnapshots("ds03", "no space left on device");
    const full = await ssh("ds03", `${rke2Bin} etcd-snapshot save --name lab-test`);
    lab.wiring.failSnapshots("ds03", undefined);
    assert.equal(full.code, 1);
    assert.match(full.stderr, /failed to save snapshot: no space left on device/);
    const other = await ssh("ds03", `${rke2Bin} server --cluster-reset`);
    assert.match(other.stderr, /not emulated by the ECS lab/);
    assert.deepEqual(
      lab.wiring.snapshots().map((x) => [x.node, x.ok]),
      [
        ["ds03", true],
        ["ds04", false],
        ["ds03", false],
      ],
    );

    // etcdctl member remove, by ID: the member leaves etcd whatever its Node says.
    const ds01 = members.find((m) => m.name.startsWith(`${node("ds01").hostname}-`))!;
    const removed = await etcd("member/remove", JSON.stringify({ ID: ds01.ID }));
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((JSON.parse(removed.stdout) as { members: unknown[] }).members.length, 2);
    assert.equal(lab.rke2.members.has(node("ds01").hostname), false);
    const again = await etcd("member/remove", JSON.stringify({ ID: ds01.ID }));
    assert.match(again.stdout, /etcdserver: member not found/);
  });

  it("refuses to start when the SSH port is taken on the nodes' addresses (a system sshd on 0.0.0.0), naming the fix", async () => {
    const wildcard = net.createServer();
    await new Promise<void>((resolve) => wildcard.listen(0, "0.0.0.0", resolve));
    const { port } = wildcard.address() as net.AddressInfo;
    try {
      await assert.rejects(
        sshdPreflight(lab.nodes, port),
        new RegExp(`127\\.0\\.8\\.141:${port}.*already taken.*ECS_LAB_SSH_PORT`),
      );
    } finally {
      wildcard.close();
    }
  });

  it("puts the sshd into the lab stack config: ecs:ssh, the secret key, each node's host key", () => {
    const config = labStackConfig({
      openstack: lab.openstack,
      openstackPassword: "x",
      cmUrl: lab.cm.url,
      cmPassword: "y",
      ssh: lab.ssh,
    });
    assert.deepEqual(config["ecs:ssh"].objectValue, { user: "root", port: lab.ssh.port });
    assert.deepEqual(config["ecs:sshPrivateKey"], { value: lab.ssh.privateKey, secret: true });
    const nodes = config["ecs:nodes"].objectValue as Array<{ name: string; sshHostKey: string }>;
    for (const n of nodes) assert.equal(n.sshHostKey, lab.ssh.hostKeys[n.name]);
    const without = labStackConfig({
      openstack: lab.openstack,
      openstackPassword: "x",
      cmUrl: "u",
      cmPassword: "y",
    });
    assert.equal(without["ecs:ssh"], undefined);
    assert.ok((without["ecs:nodes"].objectValue as object[]).every((n) => !("sshHostKey" in n)));
  });
});
