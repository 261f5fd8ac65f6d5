/**
 * A roll on the lab next to the single-node replacements it is made of, measured in one run: each
 * node rebuilt alone (one `pulumi up` per node), then all of them rebuilt in one `pulumi up` (the
 * roll: node by node, a gate between nodes). The ratio roll / sum of singles is what rolling
 * costs beyond the replacements themselves; target <= 1.1x.
 *
 *   npm run bench:roll [-- --nodes ds04,ds05,ds01]
 */
import { parseArgs } from "util";
import { LAB_NODES } from "../lab/ecs";
import { benchOnLab, runBench } from "./benchLab";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: "string" } } });
  const names = values.nodes ? values.nodes.split(",") : LAB_NODES.map((n) => n.name);
  const unknown = names.filter((n) => !LAB_NODES.some((x) => x.name === n));
  if (unknown.length)
    throw new Error(
      `--nodes: ${unknown.join(", ")} not in the lab (${LAB_NODES.map((n) => n.name).join(", ")})`,
    );
  await benchOnLab("roll", async ({ env, config }) => {
    const generations: Record<string, Record<string, unknown>> = {};
    /** Bumps the nodes' rebuild generations and times the `pulumi up` that carries them out. */
    const rebuild = async (nodes: string[]) => {
      for (const n of nodes) generations[n] = { rebuild: Number(generations[n]?.rebuild ?? 0) + 1 };
      await env.stack.setAllConfigJson(JSON.stringify({ "ecs:nodes": config(generations)["ecs:nodes"] }));
      const t0 = Date.now();
      const res = await env.stack.up();
      if (res.summary.result !== "succeeded")
        throw new Error(`pulumi up of ${nodes.join(", ")}: ${res.summary.result}`);
      return (Date.now() - t0) / 1000;
    };
    let sum = 0;
    for (const n of names) {
      const t = await rebuild([n]);
      sum += t;
      console.log(`single rebuild of ${n}: ${t.toFixed(1)} s`);
    }
    const roll = await rebuild(names);
    console.log(
      `\nroll of ${names.length} nodes (${names.join(", ")}) in one pulumi up: ${roll.toFixed(1)} s`,
    );
    console.log(`sum of the single rebuilds, same run: ${sum.toFixed(1)} s`);
    console.log(`roll overhead: ${(roll / sum).toFixed(2)}x (target <= 1.1x)`);
  });
}

runBench(main);
