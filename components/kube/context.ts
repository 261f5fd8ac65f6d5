import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pollDelay, sleep } from "../cloudera/transport";
import { EvacuationMode } from "../config/types";
import { Kubectl } from "./kubectl";
import { RunRecord } from "./runRecord";

/** What a membership stage run knows, read from the environment the command resource sets. */
export interface StageContext {
  node: string;
  role: "server" | "agent";
  evacuation: EvacuationMode;
  kubectl: Kubectl;
  drainTimeoutSec: number;
  readyTimeoutSec: number;
  pollMs: number;
  /** Nova instance id of the node's VM (for out-of-service and auto evidence). */
  instanceId?: string;
  record: RunRecord;
  log(message: string): void;
}

function required(env: NodeJS.ProcessEnv, key: string): string {
  const v = env[key];
  if (!v)
    throw new Error(
      `${key} is not set. Fix: the membership stage sets it; run it through the Pulumi program.`,
    );
  return v;
}

/**
 * The kubeconfig arrives as a secret in ECS_KUBECONFIG_DATA (never on a command line) or as a
 * path in ECS_KUBECONFIG; the data is written to a private temporary file for kubectl.
 */
export function kubeconfigPath(env: NodeJS.ProcessEnv): string {
  if (env.ECS_KUBECONFIG) return env.ECS_KUBECONFIG.replace(/^~(?=\/)/, os.homedir());
  const data = required(env, "ECS_KUBECONFIG_DATA");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-kube-"));
  const file = path.join(dir, "kubeconfig");
  fs.writeFileSync(file, data, { mode: 0o600 });
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

export function contextFromEnv(phase: "create" | "delete" | "intent", env = process.env): StageContext {
  const node = required(env, "ECS_NODE");
  const role = required(env, "ECS_ROLE") as StageContext["role"];
  const log = (message: string) => console.log(`[${node}] membership ${phase}: ${message}`);
  return {
    node,
    role,
    evacuation: (env.ECS_EVACUATION ?? "drain") as EvacuationMode,
    kubectl: new Kubectl(kubeconfigPath(env)),
    drainTimeoutSec: Number(env.ECS_DRAIN_TIMEOUT ?? 600),
    readyTimeoutSec: Number(env.ECS_READY_TIMEOUT ?? 1800),
    pollMs: Number(env.ECS_POLL_MS ?? 1000),
    instanceId: env.ECS_INSTANCE_ID || undefined,
    record: new RunRecord(env.ECS_RUN_RECORD_DIR, node, `membership-${phase}`),
    log,
  };
}

/**
 * Polls `check` until it returns a value, or `timeoutSec` passes (then undefined). The first polls
 * come quickly (200 ms, growing) to catch fast transitions, then every `pollMs`; `waiting` is told
 * the elapsed seconds every 10 s, for progress lines.
 */
export async function pollUntil<T>(
  timeoutSec: number,
  pollMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  waiting: (elapsedSec: number) => void,
): Promise<T | undefined> {
  const start = Date.now();
  let lastLog = 0;
  for (let polls = 0; ; polls++) {
    const v = await check();
    if (v !== undefined) return v;
    const elapsed = (Date.now() - start) / 1000;
    if (elapsed > timeoutSec) return undefined;
    if (Date.now() - lastLog > 10_000) {
      waiting(elapsed);
      lastLog = Date.now();
    }
    await sleep(pollDelay(polls, pollMs));
  }
}

/** Polls `check` until it returns a value, logging what it waits for every 10 s; throws on timeout. */
export async function waitFor<T>(
  ctx: StageContext,
  what: string,
  timeoutSec: number,
  check: () => T | undefined,
): Promise<T> {
  const v = await pollUntil(timeoutSec, ctx.pollMs, check, (elapsed) =>
    ctx.log(`waiting for ${what} (${elapsed.toFixed(0)}s)`),
  );
  if (v === undefined) throw new Error(`timed out after ${timeoutSec}s waiting for ${what}`);
  return v;
}
