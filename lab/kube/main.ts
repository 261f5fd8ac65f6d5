// Starts the Kubernetes lab by hand and reports its start-up time and memory:
//   npx ts-node --transpile-only lab/kube/main.ts [--dir /tmp/ecs-kube-lab] [--no-workloads]
// Ctrl-C stops it. Needs the binaries from tools/toolchain/build-lab.sh.
import * as os from "os";
import * as path from "path";
import { ECS_LAB_NODES, startKubeLab } from ".";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dirArg = args.indexOf("--dir");
  const dir = dirArg >= 0 ? args[dirArg + 1] : path.join(os.tmpdir(), "ecs-kube-lab");
  const lab = await startKubeLab({
    dir,
    nodes: ECS_LAB_NODES,
    workloads: args.includes("--no-workloads") ? false : undefined,
  });
  const mib = (lab.rssBytes() / 2 ** 20).toFixed(0);
  console.log(`ready in ${lab.startupSeconds.toFixed(1)} s; RSS of all lab processes: ${mib} MiB`);
  console.log(`export KUBECONFIG=${lab.kubeconfig}`);
  const shutdown = (): void => {
    void lab.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
