/**
 * What the lab benchmarks share: a lab, a stack of the program on it configured as the lab's
 * README says, and the clean-up; the benchmark gets the stack and a config builder.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEcsLab, type EcsLab } from "../lab/ecs";
import { labStackConfig } from "../lab/ecs/stackConfig";
import { EngineStack, openStack } from "../test/support/engine";
import { copyProgram } from "./programCopy";

export interface BenchLab {
  lab: EcsLab;
  env: EngineStack;
  /** The stack's config with these per-node settings (rebuild generations, say). */
  config: (nodes?: Record<string, Record<string, unknown>>) => ReturnType<typeof labStackConfig>;
}

/** Starts the lab and the stack (first `pulumi up` done), runs `bench`, then removes everything. */
export async function benchOnLab(
  name: string,
  bench: (b: BenchLab) => Promise<void>,
  log: (message: string) => void = () => undefined,
): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ecs-bench-${name}-`));
  const lab = await startEcsLab({
    dir: path.join(tmp, "lab"),
    openstackPassword: "bench-openstack",
    cmPassword: "bench-cm",
    log,
  });
  const env = await openStack(copyProgram(path.join(tmp, "program")), "bench");
  try {
    const config = (nodes: Record<string, Record<string, unknown>> = {}) =>
      labStackConfig({
        openstack: lab.openstack,
        openstackPassword: "bench-openstack",
        cmUrl: lab.cm.url,
        cmPassword: "bench-cm",
        cmCaFile: lab.cmCaFile,
        kubeconfig: lab.kube.kubeconfig,
        runRecordDir: path.join(tmp, "records"),
        nodes,
        // Every server needs its SSH host key (etcd snapshot before a member removal).
        ssh: lab.ssh,
      });
    await env.stack.setAllConfigJson(JSON.stringify(config()));
    const res = await env.stack.up();
    if (res.summary.result !== "succeeded")
      throw new Error(`the stack's first pulumi up: ${res.summary.result}`);
    await bench({ lab, env, config });
  } finally {
    await env.dispose();
    await lab.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs a benchmark's main, printing its error and exiting 1 on failure. */
export function runBench(main: () => Promise<void>): void {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
