import * as path from "path";
import { LabBinaries } from "./binaries";
import { LabNodeSpec } from "./nodes";
import { LabProcess } from "./process";

/** kwok's stage file (Ready node, Running pods, confirmed deletions), shipped with this module. */
export const KWOK_STAGES = path.join(__dirname, "kwok", "stages.yaml");

/**
 * The "kubelet" of one simulated node: a kwok process that manages only this node (server-side
 * field selectors on the node, its lease and its pods). Killing it is the node dying: the lease
 * stops, and nothing confirms the deletion of its pods any more.
 */
export function kwokNodeProcess(
  bins: LabBinaries,
  node: LabNodeSpec,
  podCidr: string,
  kubeconfig: string,
  logDir: string,
  leaseDurationSeconds: number,
): LabProcess {
  return new LabProcess(
    `kwok-${node.name.split(".")[0]}`,
    bins.kwok,
    [
      `--kubeconfig=${kubeconfig}`,
      `--config=${KWOK_STAGES}`,
      `--manage-single-node=${node.name}`,
      `--node-ip=${node.ip}`,
      `--cidr=${podCidr}`,
      `--node-lease-duration-seconds=${leaseDurationSeconds}`,
      // INFO logs a line per lease renewal (every second); warnings and errors are what matter.
      "--v=WARN",
    ],
    logDir,
    // kwok also reads ~/.kwok/kwok.yaml when present; point HOME at the lab so it cannot.
    { ...process.env, HOME: logDir },
  );
}
