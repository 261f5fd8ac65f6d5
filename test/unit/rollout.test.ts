import * as assert from "assert";
import { rollPlan } from "../../components/cluster/rollout";
import { validateClusterConfig } from "../../components/config/validate";
import { clone, readStackConfig } from "../support/stackConfig";

const dev = readStackConfig("dev");

/** The dev stack's six nodes (ds01-03 servers, ds04-06 agents) with `rollout` set. */
function plan(rollout?: Record<string, unknown>) {
  const raw = clone(dev);
  if (rollout) raw.rollout = rollout;
  const c = validateClusterConfig(raw);
  return { config: c, steps: rollPlan(c.nodes, c.rollout) };
}
const table = (steps: ReturnType<typeof plan>["steps"]) =>
  steps.map((s) => `${s.node.name} after [${s.after.join(",")}] alongside [${s.alongside.join(",")}]`);

describe("roll plan", () => {
  it("defaults to agents first, one node at a time, and overrides image and flavor per node", () => {
    const { config, steps } = plan();
    assert.deepStrictEqual(config.rollout, {
      order: ["ds04", "ds05", "ds06", "ds01", "ds02", "ds03"],
      maxUnavailableAgents: 1,
      pauseSec: 0,
    });
    assert.deepStrictEqual(table(steps), [
      "ds04 after [] alongside []",
      "ds05 after [ds04] alongside []",
      "ds06 after [ds05] alongside []",
      "ds01 after [ds06] alongside []",
      "ds02 after [ds01] alongside []",
      "ds03 after [ds02] alongside []",
    ]);
    assert.deepStrictEqual(steps[5].before.sort(), ["ds01", "ds02", "ds04", "ds05", "ds06"]);

    const raw = clone(dev);
    const nodes = raw.nodes as Array<Record<string, unknown>>;
    nodes[3].image = "rhel-8.10-ecs";
    const c = validateClusterConfig(raw);
    assert.deepStrictEqual(
      c.nodes.map((n) => n.image),
      [...Array(3).fill(c.openstack.image), "rhel-8.10-ecs", c.openstack.image, c.openstack.image],
    );
  });

  it("runs agents in lanes of maxUnavailableAgents, servers alone, in an explicit order", () => {
    const { steps } = plan({
      order: ["ds01", "ds04", "ds05", "ds06", "ds02", "ds03"],
      maxUnavailableAgents: 2,
      pauseSec: "30",
    });
    assert.deepStrictEqual(table(steps), [
      "ds01 after [] alongside []",
      "ds04 after [ds01] alongside [ds05]",
      "ds05 after [ds01] alongside [ds04,ds06]",
      "ds06 after [ds04] alongside [ds05]",
      // The server waits for both lanes' last agents.
      "ds02 after [ds05,ds06] alongside []",
      "ds03 after [ds02] alongside []",
    ]);
  });

  it("servers-first puts the servers before the agents", () => {
    assert.deepStrictEqual(
      plan({ order: "servers-first" }).steps.map((s) => s.node.name),
      ["ds01", "ds02", "ds03", "ds04", "ds05", "ds06"],
    );
  });
});
