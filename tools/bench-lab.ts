/**
 * Lab cold start with the toolchain cached: time until OpenStack, CM and Kubernetes (six Ready
 * nodes, sample workloads running) are up, and the memory the whole lab uses.
 * Targets: ready in under 60 s, under 3 GiB.   npm run bench:lab
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEcsLab } from "../lab/ecs";

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-bench-lab-"));
  const t0 = Date.now();
  const lab = await startEcsLab({
    dir: path.join(tmp, "lab"),
    openstackPassword: "bench",
    cmPassword: "bench",
  });
  const ready = (Date.now() - t0) / 1000;
  // Kubernetes processes (etcd, control plane, six kwok) plus this process, which hosts the
  // OpenStack and CM simulators and the lab wiring.
  const rss = lab.kube.rssBytes() + process.memoryUsage().rss;
  console.log("embedded lab cold start (toolchain cached)");
  console.log(
    `ready in        ${ready.toFixed(1)} s   (target < 60 s; Kubernetes part ${lab.kube.startupSeconds.toFixed(1)} s)`,
  );
  console.log(`memory (RSS)    ${(rss / 2 ** 20).toFixed(0)} MiB   (target < 3072 MiB)`);
  await lab.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
