/**
 * One rebuild on the lab: the wall time of `pulumi up` next to the waits the lab itself imposes
 * (VM boot, CM role stop/start transitions, the node joining Kubernetes). The ratio is the
 * orchestration overhead; target <= 1.2x.
 *
 *   npm run bench:replace
 */
import { benchOnLab, runBench } from "./benchLab";

const ROLE_TRANSITION_MS = 500;

async function main(): Promise<void> {
  const events: Array<{ at: number; message: string }> = [];
  await benchOnLab(
    "replace",
    async ({ lab, env, config }) => {
      let created = 0;
      let active = 0;
      lab.openstack.hooks.onServer((e) => {
        if (e.name !== "ds04") return;
        if (e.type === "create") created = Date.now();
        if (e.type === "active") active = Date.now();
      });
      await env.stack.setAllConfigJson(
        JSON.stringify({ "ecs:nodes": config({ ds04: { rebuild: 1 } })["ecs:nodes"] }),
      );
      events.length = 0;
      // Per step: when the engine started it and when its outputs arrived.
      const steps = new Map<string, { start: number; end?: number }>();
      const t0 = Date.now();
      await env.stack.up({
        onEvent: (e) => {
          const pre = e.resourcePreEvent?.metadata;
          const done = e.resOutputsEvent?.metadata;
          const m = pre ?? done;
          if (!m || m.op === "same" || m.type.startsWith("pulumi:providers:")) return;
          const key = `${m.op} ${m.urn.slice(m.urn.lastIndexOf("::") + 2)}`;
          if (pre) steps.set(key, { start: Date.now() });
          else if (steps.has(key)) steps.get(key)!.end = Date.now();
        },
      });
      const wall = Date.now() - t0;

      const at = (re: RegExp) => events.find((e) => re.test(e.message))?.at ?? NaN;
      const boot = active - created;
      // Stop ECS + Docker roles, then start Docker + ECS: four transitions the lab makes last.
      const roles = 4 * ROLE_TRANSITION_MS;
      const join = at(/^ds04: Kubernetes node Ready/) - at(/^ds04: ECS_AGENT started/);
      const waits = boot + roles + join;
      console.log("one agent rebuild on the lab (ds04, drain)");
      console.log(`pulumi up wall time        ${(wall / 1000).toFixed(1)} s`);
      console.log(
        `lab waits                  ${(waits / 1000).toFixed(1)} s  (VM boot ${(boot / 1000).toFixed(1)} s, role transitions ${(roles / 1000).toFixed(1)} s, node join ${(join / 1000).toFixed(1)} s)`,
      );
      console.log(`ratio                      ${(wall / waits).toFixed(2)}x  (target <= 1.2x)`);
      console.log("\nengine steps (start offset, duration), in start order:");
      for (const [key, t] of steps) {
        const dur = t.end !== undefined ? `${((t.end - t.start) / 1000).toFixed(1)} s` : "?";
        console.log(`  +${((t.start - t0) / 1000).toFixed(1).padStart(5)} s  ${dur.padStart(7)}  ${key}`);
      }
    },
    (message) => events.push({ at: Date.now(), message }),
  );
}

runBench(main);
