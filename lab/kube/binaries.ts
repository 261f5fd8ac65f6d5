import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Pinned versions; tools/toolchain/build-lab.sh builds exactly these (a test checks they agree). */
export const LAB_VERSIONS = { kube: "1.34.4", etcd: "3.6.16", kwok: "0.8.0" } as const;

export interface LabBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
}

/** Where build-lab.sh puts its output: $ECS_PULUMI_CACHE (default ~/.cache/ecs-pulumi)/toolchain. */
export function toolchainDir(): string {
  const cache = process.env.ECS_PULUMI_CACHE ?? path.join(os.homedir(), ".cache", "ecs-pulumi");
  return path.join(cache, "toolchain");
}

/** Paths of the lab binaries; throws with the fix when any is missing. */
export function labBinaries(root: string = toolchainDir()): LabBinaries {
  const kube = path.join(root, `kube-v${LAB_VERSIONS.kube}`, "bin");
  const bins: LabBinaries = {
    etcd: path.join(root, `etcd-v${LAB_VERSIONS.etcd}`, "bin", "etcd"),
    kubeApiserver: path.join(kube, "kube-apiserver"),
    kubeControllerManager: path.join(kube, "kube-controller-manager"),
    kubeScheduler: path.join(kube, "kube-scheduler"),
    kubectl: path.join(kube, "kubectl"),
    kwok: path.join(root, `kwok-v${LAB_VERSIONS.kwok}`, "bin", "kwok"),
  };
  const missing = Object.values(bins).filter((p) => !isExecutable(p));
  if (missing.length > 0) {
    throw new Error(
      `lab binaries missing: ${missing.join(", ")}; build them with tools/toolchain/build-lab.sh`,
    );
  }
  return bins;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
