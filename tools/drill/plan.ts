/**
 * What a drill is asked to do, and whether the combination makes sense, before anything is read
 * or touched: the fault to inject, the runbook case that recovers the node, and the stack change
 * that case is (an evacuation mode and a generation bump of the node, as a pull request would make).
 */
import { parseArgs } from "node:util";
import type { EvacuationMode } from "../../components/config/types";

export const FAULTS = ["power-off", "kubelet-stop", "network-partition", "none"] as const;
export type Fault = (typeof FAULTS)[number];

export const RECOVERIES = ["case1", "case2", "case3", "rejoin", "rebuild"] as const;
export type RecoveryName = (typeof RECOVERIES)[number];

export interface Recovery {
  /** The node's `evacuation` for the recovering update. */
  evacuation: EvacuationMode;
  /** The generation the drill bumps: `rebuild` replaces the VM, `rejoin` keeps it. */
  generation: "rebuild" | "rejoin";
  /** Faults this recovery is meant for (the others fail in a known way, so they are refused up front). */
  faults: readonly Fault[];
  /** The seed's words for it. */
  runbook: string;
}

/** The seed's three cases plus the stack's two ways back, as stack changes. */
export const RECOVERY: Record<RecoveryName, Recovery> = {
  case1: {
    evacuation: "delete-node",
    generation: "rebuild",
    faults: ["power-off", "kubelet-stop"],
    runbook:
      "case 1: unexpected offline node; the Node is deleted (pod GC clears its pods), the node rebuilt",
  },
  case2: {
    evacuation: "force-delete-pods",
    generation: "rebuild",
    faults: ["power-off", "kubelet-stop"],
    runbook: "case 2: unexpected offline node; its pods are force-deleted, then the Node, the node rebuilt",
  },
  case3: {
    evacuation: "drain",
    generation: "rebuild",
    faults: ["none"],
    runbook: "case 3: regular node maintenance; drained (eviction API, PDBs honoured), then rebuilt",
  },
  rejoin: {
    evacuation: "delete-node",
    generation: "rejoin",
    faults: ["kubelet-stop"],
    runbook:
      "add node back (case 1, stage 3): out of Kubernetes and CM, RKE2 wiped over SSH, role re-added on the same VM",
  },
  rebuild: {
    evacuation: "auto",
    generation: "rebuild",
    faults: ["power-off"],
    runbook: "rebuild with evacuation auto: a node Nova confirms off gets the out-of-service path",
  },
};

export interface DrillRequest {
  stack: string;
  node: string;
  fault: Fault;
  recover: RecoveryName;
  /** Confirms a drill outside the lab without a prompt. */
  yes: boolean;
  /** Print the plan (after the read-only preflight) and stop. */
  dryRun: boolean;
  /** Where the report directory is written. */
  outDir: string;
}

export const USAGE =
  "usage: npm run drill -- --stack <stack> --node <name> --fault power-off|kubelet-stop|none " +
  "--recover case1|case2|case3|rejoin|rebuild [--yes] [--dry-run] [--out <dir>]";

export class UsageError extends Error {}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined)
    throw new UsageError(`--${flag} is required (one of ${allowed.join(", ")}). ${USAGE}`);
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag} ${value}: unknown; use one of ${allowed.join(", ")}. ${USAGE}`);
  return value as T;
}

/** The command line, checked: every problem names the flag and the fix. */
export function parseDrillArgs(argv: string[], defaultOutDir: string): DrillRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        node: { type: "string" },
        fault: { type: "string" },
        recover: { type: "string" },
        yes: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        out: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}. ${USAGE}`);
  }
  if (!values.stack)
    throw new UsageError(`--stack is required (the stack whose cluster is drilled). ${USAGE}`);
  if (!values.node)
    throw new UsageError(`--node is required (a node name of ecs:nodes, e.g. ds04). ${USAGE}`);
  const request: DrillRequest = {
    stack: values.stack,
    node: values.node,
    fault: oneOf("fault", values.fault, FAULTS),
    recover: oneOf("recover", values.recover, RECOVERIES),
    yes: values.yes === true,
    dryRun: values["dry-run"] === true,
    outDir: values.out ?? defaultOutDir,
  };
  const problem = combinationProblem(request.fault, request.recover);
  if (problem) throw new UsageError(problem);
  return request;
}

/** Why a fault and a recovery do not go together (undefined: they do). */
export function combinationProblem(fault: Fault, recover: RecoveryName): string | undefined {
  if (fault === "network-partition")
    return (
      "--fault network-partition is not supported: cutting a node off its network while it runs needs a " +
      "firewall change on the node or the cloud that the drill could not undo if the runner lost the node too. " +
      "Fix: use --fault kubelet-stop (the node falls silent while its VM runs, as in a partition) or power-off."
    );
  const r = RECOVERY[recover];
  if (r.faults.includes(fault)) return undefined;
  const why: Record<RecoveryName, string> = {
    case1: "case 1 recovers a node that went offline: inject power-off or kubelet-stop",
    case2: "case 2 recovers a node that went offline: inject power-off or kubelet-stop",
    case3:
      "case 3 is planned maintenance: the drain needs the node's kubelet to let its pods go, so nothing is " +
      "injected (--fault none) and the drill observes the drain and rebuild",
    rejoin:
      "a rejoin keeps the VM and wipes RKE2 over SSH, so the VM must run: inject kubelet-stop " +
      "(a powered-off node is recovered by case1, case2 or rebuild)",
    rebuild:
      "rebuild uses evacuation auto, which acts on a silent node only when Nova confirms its VM off: " +
      "inject power-off (a silent node with a running VM is refused by auto, by design)",
  };
  return `--fault ${fault} with --recover ${recover}: ${why[recover]}.`;
}
