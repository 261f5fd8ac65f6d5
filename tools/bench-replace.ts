/**
 * One rebuild on the lab, its `pulumi up` wall time split by who spends it, from the engine's own
 * step timings in the same run:
 *   provider-bound  the OpenStack provider's steps (VM and attachment delete/create, with their
 *                   fixed polling delays: nothing of ours can shorten them)
 *   lab waits       what the lab itself takes outside those steps: its CM commands (role start
 *                   and stop, host and refresh commands, as CM records them) and the node joining
 *                   Kubernetes (the VM boot falls inside the provider's create)
 *   our overhead    the rest: program start, our stages beyond their waits, gaps between steps.
 * Target: our overhead <= 3 s per replacement; also printed over the lab waits, the work it
 * orchestrates.
 *
 *   npm run bench:replace
 */
import { benchOnLab, runBench } from "./benchLab";

type Interval = [number, number];

/** Total length covered by the intervals (overlaps counted once). */
function covered(intervals: Interval[]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const events: Array<{ at: number; message: string }> = [];
  await benchOnLab(
    "replace",
    async ({ lab, env, config }) => {
      let created = NaN;
      let active = NaN;
      lab.openstack.hooks.onServer((e) => {
        if (e.name !== "ds04") return;
        if (e.type === "create") created = Date.now();
        if (e.type === "active") active = Date.now();
      });
      await env.stack.setAllConfigJson(
        JSON.stringify({ "ecs:nodes": config({ ds04: { rebuild: 1 } })["ecs:nodes"] }),
      );
      events.length = 0;
      // Per step: its resource type, when the engine started it and when its outputs arrived.
      const steps = new Map<string, { type: string; start: number; end?: number }>();
      const t0 = Date.now();
      await env.stack.up({
        onEvent: (e) => {
          const pre = e.resourcePreEvent?.metadata;
          const done = e.resOutputsEvent?.metadata;
          const m = pre ?? done;
          if (!m || m.op === "same" || m.type.startsWith("pulumi:providers:")) return;
          const key = `${m.op} ${m.urn.slice(m.urn.lastIndexOf("::") + 2)}`;
          if (pre) steps.set(key, { type: m.type, start: Date.now() });
          else if (steps.has(key)) steps.get(key)!.end = Date.now();
        },
      });
      const wall = Date.now() - t0;

      const at = (re: RegExp) => events.find((e) => re.test(e.message))?.at ?? NaN;
      const provider: Interval[] = [...steps.values()]
        .filter((t) => t.type.startsWith("openstack:") && t.end !== undefined)
        .map((t) => [t.start, t.end!]);
      const boot: Interval = [created, active];
      const join: Interval = [at(/^ds04: ECS_AGENT started/), at(/^ds04: Kubernetes node Ready/)];
      if (![...boot, ...join].every(Number.isFinite)) throw new Error("the lab did not report boot or join");
      // Every CM command of this update (role stop/start, host add/remove, refresh), as CM timed it.
      const cm: Interval[] = [...lab.cm.state.commands.values()]
        .filter((c) => c.startMs >= t0 && c.endMs !== undefined)
        .map((c) => [c.startMs, c.endMs!]);
      const providerMs = covered(provider);
      const labMs = covered([...provider, boot, join, ...cm]) - providerMs;
      const ours = wall - providerMs - labMs;
      const firstStep = Math.min(...[...steps.values()].map((t) => t.start)) - t0;
      console.log("one agent rebuild on the lab (ds04, drain)");
      console.log(`pulumi up wall time   ${sec(wall)}`);
      console.log(
        `provider-bound        ${sec(providerMs)}  (OpenStack steps: VM and attachment delete/create)`,
      );
      console.log(
        `lab waits             ${sec(labMs)}  (CM commands ${sec(covered(cm))}, node join ${sec(join[1] - join[0])}; VM boot ${sec(boot[1] - boot[0])} falls inside the provider's create)`,
      );
      console.log(`of which program start before the first step: ${sec(firstStep)}`);
      console.log(
        `our overhead: ${sec(ours)} (${(ours / labMs).toFixed(1)}x lab waits)  (target <= 3 s per replacement)`,
      );
      console.log("\nengine steps (start offset, duration), in start order:");
      for (const [key, t] of steps) {
        const dur = t.end !== undefined ? sec(t.end - t.start) : "?";
        console.log(`  +${((t.start - t0) / 1000).toFixed(1).padStart(5)} s  ${dur.padStart(7)}  ${key}`);
      }
    },
    (message) => events.push({ at: Date.now(), message }),
  );
}

runBench(main);
