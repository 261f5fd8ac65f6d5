import * as assert from "assert";
import { analyzePreview, PreviewStep } from "../../tools/preview-gate/analyze";
import { renderPlan } from "../../tools/preview-gate/render";

const NODE = (n: string) => `urn:pulumi:lab::ecs::ecs:index:Cluster$ecs:index:Node::${n}`;
const step = (op: string, node: string, suffix: string, role = "agent"): PreviewStep => {
  const types: Record<string, string> = {
    "-vm": "openstack:compute/instance:Instance",
    "-cm-role": "pulumi-nodejs:dynamic/cloudera:Role",
  };
  const inputs: Record<string, Record<string, unknown>> = {
    "-vm": { metadata: { "ecs-role": role } },
    "-cm-role": { roleType: role === "server" ? "ECS_SERVER" : "ECS_AGENT" },
  };
  const state = {
    urn: `urn:pulumi:lab::ecs::x::${node}${suffix}`,
    type: types[suffix] ?? "x",
    parent: NODE(node),
    inputs: inputs[suffix] ?? {},
  };
  return { op, urn: state.urn, oldState: state, newState: state };
};

describe("gate analysis of the digest without replacement steps (one 'replace' per resource)", () => {
  it("accepts a rebuild whose membership is replaced too (the cascade evacuates first)", () => {
    const r = analyzePreview(
      { steps: ["-vm", "-cm-host", "-cm-role", "-k8s-membership"].map((s) => step("replace", "ds04", s)) },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.nodes[0].kind, "rebuild");
  });

  it("rejects a rebuild whose membership is not part of the change", () => {
    const r = analyzePreview(
      { steps: [step("replace", "ds04", "-vm"), step("same", "ds04", "-k8s-membership")] },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.match(r.problems[0], /^ds04: "replace ds04-vm" would run without its Kubernetes membership stage/);
  });

  it("rejects a delete-replaced VM listed before its membership's delete", () => {
    const r = analyzePreview(
      { steps: [step("delete-replaced", "ds05", "-vm"), step("delete-replaced", "ds05", "-k8s-membership")] },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.match(r.problems[0], /^ds05: "delete-replaced ds05-vm" would run without/);
  });

  it("reads a replaced RKE2 prep with the VM kept as a rejoin, evacuated first", () => {
    const r = analyzePreview(
      {
        steps: ["-rke2-prep", "-cm-role", "-k8s-membership"].map((s) => step("replace", "ds02", s, "server")),
      },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.nodes[0].kind, "rejoin");
    assert.strictEqual(r.nodes[0].role, "server", "known from the CM role stage when the VM is kept");
  });

  it("rejects a rebuild and a rejoin of the same node in one update", () => {
    const steps = ["-vm", "-cm-host", "-rke2-prep", "-cm-role", "-k8s-membership"].map((s) =>
      step("replace", "ds04", s),
    );
    const r = analyzePreview({ steps }, { maxServers: 1, maxAgents: 1 });
    assert.match(r.problems[0], /^ds04: rebuild and rejoin in one update.*Fix: bump only rebuild/);
  });

  it("counts agents against --max-agents", () => {
    const steps = ["ds04", "ds05"].flatMap((n) => [
      step("replace", n, "-vm"),
      step("replace", n, "-k8s-membership"),
    ]);
    assert.match(
      analyzePreview({ steps }, { maxServers: 1, maxAgents: 1 }).problems[0],
      /2 ECS agents would be out at the same time.*limit is 1/,
    );
    assert.deepStrictEqual(analyzePreview({ steps }, { maxServers: 1, maxAgents: 2 }).problems, []);
  });
});

describe("gate analysis of a roll (the preview's dependencies order the nodes)", () => {
  /** A node's chain; its VM waits for the gates of `after`, its membership for its VM. */
  const chain = (node: string, role: string, after: string[]): PreviewStep[] => {
    const [vm, membership, gate] = ["-vm", "-k8s-membership", "-node-gate"].map((x) =>
      step("replace", node, x, role),
    );
    vm.newState = {
      ...vm.newState!,
      dependencies: after.map((a) => `urn:pulumi:lab::ecs::x::${a}-node-gate`),
    };
    membership.newState = { ...membership.newState!, dependencies: [vm.urn] };
    gate.op = "update";
    gate.newState = { ...gate.newState!, dependencies: [membership.urn] };
    return [vm, membership, gate];
  };

  it("accepts three servers and three agents rolled one after the other, in the roll's order", () => {
    const order: [string, string][] = [
      ["ds04", "agent"],
      ["ds05", "agent"],
      ["ds06", "agent"],
      ["ds01", "server"],
      ["ds02", "server"],
      ["ds03", "server"],
    ];
    // Listed out of order: the plan follows the dependencies, not the digest's order.
    const steps = order
      .map(([n, role], i) => chain(n, role, i ? [order[i - 1][0]] : []))
      .reverse()
      .flat();
    const r = analyzePreview({ steps }, { maxServers: 1, maxAgents: 1 });
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(
      r.nodes.map((n) => n.name),
      order.map(([n]) => n),
    );
    const md = renderPlan(r, [], "lab");
    assert.match(md, /Roll, in this order .*: ds04 → ds05 → ds06 → ds01 → ds02 → ds03/);
    assert.match(md, /### ds02 \(server\): rebuild\n\nEvacuation: [^\n]*\n\nStarts after: ds01\n/);
    assert.match(md, /`update ds05-node-gate`: gate: this node and those before it healthy/);
  });

  it("follows the roll through an unchanged node's gate when the preview lists `same` steps", () => {
    // ds01 and ds03 rebuilt, ds02 (between them in the roll) unchanged.
    const ds02 = chain("ds02", "server", ["ds01"]).map((s) => ({ ...s, op: "same" }));
    const steps = [...chain("ds01", "server", []), ...ds02, ...chain("ds03", "server", ["ds02"])];
    const r = analyzePreview({ steps }, { maxServers: 1, maxAgents: 1 });
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(
      r.nodes.map((n) => [n.name, n.after]),
      [
        ["ds01", []],
        ["ds03", ["ds01"]],
      ],
    );
    // Without --show-sames the path is not in the preview: unproven, so refused, with the fix.
    const withoutSames = steps.filter((s) => s.op !== "same");
    assert.match(
      analyzePreview({ steps: withoutSames }, { maxServers: 1, maxAgents: 1 }).problems[0],
      /^2 ECS servers would be out at the same time.*--show-sames/,
    );
  });

  it("does not count a node as waiting when only a later stage of its chain waits (its VM would go early)", () => {
    const ds02 = chain("ds02", "server", []);
    // The membership waits for ds01's gate, the VM (where the delete cascade starts) does not.
    ds02[1].newState = {
      ...ds02[1].newState!,
      dependencies: [ds02[0].urn, "urn:pulumi:lab::ecs::x::ds01-node-gate"],
    };
    const r = analyzePreview(
      { steps: [...chain("ds01", "server", []), ...ds02] },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.match(r.problems[0], /^2 ECS servers would be out at the same time/);
  });

  it("rejects two servers whose chains do not wait for one another, and counts agents per lane", () => {
    const servers = [...chain("ds01", "server", []), ...chain("ds02", "server", [])];
    assert.match(
      analyzePreview({ steps: servers }, { maxServers: 1, maxAgents: 1 }).problems[0],
      /^2 ECS servers would be out at the same time \(of ds01, ds02\).*Fix: make the preview with --show-sames/,
    );
    // Two lanes: ds04 -> ds06 and ds05 -> ds07: two agents at a time, never three.
    const lanes = [
      ...chain("ds04", "agent", []),
      ...chain("ds05", "agent", []),
      ...chain("ds06", "agent", ["ds04"]),
      ...chain("ds07", "agent", ["ds05"]),
    ];
    assert.match(
      analyzePreview({ steps: lanes }, { maxServers: 1, maxAgents: 1 }).problems[0],
      /^2 ECS agents would be out at the same time.*limit is 1/,
    );
    assert.deepStrictEqual(analyzePreview({ steps: lanes }, { maxServers: 1, maxAgents: 2 }).problems, []);
  });
});

describe("gate analysis of the data volume's detach (engine order, --show-replacement-steps)", () => {
  const chain = (order: string[]) =>
    analyzePreview(
      { steps: order.map((x) => step(x.split(" ")[0], "ds04", x.split(" ")[1])) },
      { maxServers: 1, maxAgents: 1 },
    );
  const out = ["delete-replaced -k8s-membership", "delete-replaced -cm-role"];
  const back = ["create-replacement -vm", "create-replacement -data-attach", "create-replacement -cm-host"];

  it("accepts the detach after the VM power stage stopped the VM, and shows both in the plan, in order", () => {
    const r = chain([
      ...out,
      "delete-replaced -power",
      "delete-replaced -cm-host",
      "delete-replaced -data-attach",
      "delete-replaced -vm",
      ...back,
    ]);
    assert.deepStrictEqual(r.problems, []);
    const md = renderPlan(r, [], "lab");
    assert.match(
      md,
      /power the VM off \(Nova stop, wait for SHUTOFF\)[\s\S]*detach the data volume from the stopped VM[\s\S]*delete the VM[\s\S]*attach the data volume/,
    );
  });

  it("rejects a detach before the VM is powered off, or without the power stage", () => {
    const early = chain([
      ...out,
      "delete-replaced -data-attach",
      "delete-replaced -power",
      "delete-replaced -vm",
    ]);
    assert.match(
      early.problems[0],
      /^ds04: "delete-replaced ds04-data-attach" would detach the data volume before/,
    );
    const never = chain([...out, "delete-replaced -data-attach", "delete-replaced -vm"]);
    assert.match(never.problems[0], /would detach the data volume without the VM power stage/);
  });
});

describe("gate analysis of in-place updates that disturb a running node", () => {
  const update = (node: string, suffix: string, type: string, diffReasons: string[]): PreviewStep => ({
    ...step("update", node, suffix),
    oldState: { urn: `urn:pulumi:lab::ecs::x::${node}${suffix}`, type, parent: NODE(node) },
    newState: { urn: `urn:pulumi:lab::ecs::x::${node}${suffix}`, type, parent: NODE(node) },
    diffReasons,
  });
  const VM = "openstack:compute/instance:Instance";
  const PORT = "openstack:networking/port:Port";

  it("refuses a flavor resize of running VMs, and the plan does not say that no node leaves", () => {
    const r = analyzePreview(
      { steps: ["ds04", "ds05", "ds06"].map((n) => update(n, "-vm", VM, ["flavorName"])) },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.strictEqual(r.accepted, false);
    assert.strictEqual(r.inPlace.length, 3);
    assert.match(r.problems[0], /^ds04: "update ds04-vm" changes flavorName of the running node in place/);
    const text = renderPlan(r, [], "lab");
    assert.ok(!text.includes("No ECS node leaves"), text);
  });

  it("refuses an address change or a port taken down on a live node", () => {
    const r = analyzePreview(
      { steps: [update("ds01", "-port", PORT, ["fixedIps[0].ipAddress", "adminStateUp"])] },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.match(r.problems[0], /changes fixedIps, adminStateUp of the running node/);
    assert.match(r.problems[0], /Fix: keep the node's IP; to move it, add a node with a new name/);
  });

  it("refuses a port field that is not a label (no fixed IP, port security, a field a newer provider adds)", () => {
    for (const field of ["noFixedIp", "portSecurityEnabled", "allowedAddressPairs", "someNewField"]) {
      const r = analyzePreview(
        { steps: [update("ds05", "-port", PORT, [field])] },
        { maxServers: 1, maxAgents: 1 },
      );
      assert.strictEqual(r.accepted, false, field);
      assert.match(r.problems[0], new RegExp(`changes ${field} of the running node in place`));
    }
  });

  it("names a start or stop of the VM (powerState after a refresh) with its own fix", () => {
    const r = analyzePreview(
      { steps: [update("ds06", "-vm", VM, ["powerState"])] },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.match(
      r.problems[0],
      /changes powerState .* a refresh may have recorded a stopped VM\). Fix: start the VM/,
    );
  });

  it("accepts label-only updates: VM metadata and name, port security groups", () => {
    const r = analyzePreview(
      {
        steps: [
          update("ds04", "-vm", VM, ["metadata", "name"]),
          update("ds04", "-port", PORT, ["securityGroupIds"]),
        ],
      },
      { maxServers: 1, maxAgents: 1 },
    );
    assert.deepStrictEqual(r.problems, []);
    assert.ok(renderPlan(r, [], "lab").includes("No ECS node leaves"));
  });
});
