import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pollDelay, sleep } from "../cloudera/transport";
import { EvacuationMode } from "../config/types";
import { Kubectl } from "./kubectl";
import { RunRecord } from "./runRecord";
import { readStageSecrets, settingsFromEnv, StageSecrets, StageSettings } from "./stageEnv";

export type Phase = "create" | "update" | "delete" | "intent";

/** What a membership stage run knows, read from the environment the command resource sets. */
export interface StageContext extends StageSettings {
  phase: Phase;
  /** The mode this run evacuates with (config, or the Node's intent annotation). */
  evacuation: EvacuationMode;
  kubectl: Kubectl;
  pollMs: number;
  record: RunRecord;
  log(message: string): void;
}

/**
 * The kubeconfig arrives as a path in ECS_KUBECONFIG, or as text among the stage's secrets on
 * stdin (never in the environment or on a command line); the text is written to a private
 * temporary file for kubectl.
 */
export function kubeconfigPath(env: NodeJS.ProcessEnv, secrets: StageSecrets): string {
  // The configured kubeconfig text wins over an ECS_KUBECONFIG the operator's shell may carry.
  const data = secrets.kubeconfig;
  if (!data) {
    if (env.ECS_KUBECONFIG) return env.ECS_KUBECONFIG.replace(/^~(?=\/)/, os.homedir());
    throw new Error(
      "the stage got neither ECS_KUBECONFIG nor kubeconfig text on stdin. Fix: run it through the Pulumi program.",
    );
  }
  const file = path.join(privateTempDir("kube"), "kubeconfig");
  fs.writeFileSync(file, data, { mode: 0o600 });
  return file;
}

/** The secrets document the stage resource writes to stdin (empty when it gave none). */
export function stdinSecrets(): StageSecrets {
  return readStageSecrets(fs.readFileSync(0, "utf8"));
}

const TEMP_DIR = /^ecs-(kube|ssh)-(\d+)-/;

/**
 * A private (0700) temporary directory for credentials a tool reads from a file (kubectl's
 * kubeconfig, ssh's key), removed when this process ends however it can (see removeOnExit). What
 * a SIGKILLed stage left behind is removed by the next stage run: directories of dead processes.
 */
export function privateTempDir(kind: "kube" | "ssh"): string {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    const pid = TEMP_DIR.exec(entry)?.[2];
    if (pid && !processAlive(Number(pid)))
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ecs-${kind}-${process.pid}-`));
  removeOnExit(dir);
  return dir;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const tempDirs = new Set<string>();
let removalHooked = false;
let signalsHandledElsewhere = false;

/**
 * For a long-running tool that handles SIGINT, SIGTERM and SIGHUP itself (a drill: "recover
 * now", and its kubeconfig file is still needed then): the temporary directories are removed at
 * exit only, and a signal no longer ends the process here.
 */
export function deferSignalExit(): void {
  signalsHandledElsewhere = true;
}

/**
 * Removes the private temporary directories however the process ends short of SIGKILL: normal
 * exit, or the SIGTERM/SIGINT/SIGHUP a cancelled update sends (then exits as the signal would),
 * unless the process said it handles those itself (deferSignalExit).
 */
function removeOnExit(dir: string): void {
  tempDirs.add(dir);
  if (removalHooked) return;
  removalHooked = true;
  const removeAll = () => {
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  };
  process.on("exit", removeAll);
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const) {
    process.on(signal, () => {
      if (signalsHandledElsewhere) return;
      removeAll();
      process.exit(code);
    });
  }
}

export function contextFromEnv(phase: Phase, env = process.env): StageContext {
  const secrets = stdinSecrets();
  const settings = settingsFromEnv(env, secrets);
  // stdout carries only the cluster identity this stage records; progress goes to stderr.
  const log = (message: string) => console.error(`[${settings.node}] membership ${phase}: ${message}`);
  return {
    ...settings,
    phase,
    kubectl: new Kubectl(kubeconfigPath(env, secrets)),
    pollMs: Number(env.ECS_POLL_MS ?? 1000),
    record: new RunRecord(settings.runRecordDir, settings.node, `membership-${phase}`),
    log,
  };
}

/**
 * Polls `check` until it returns a value, or `timeoutSec` passes (then undefined). The first polls
 * come quickly (200 ms, growing) to catch fast transitions, then every `pollMs`; `waiting` is told
 * the elapsed seconds every 10 s, for progress lines. A check that throws (an API server blip, a
 * CM restart) is tried again until the time is up; the last error is kept for the caller.
 */
export async function pollUntil<T>(
  timeoutSec: number,
  pollMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  waiting: (elapsedSec: number, lastError?: string) => void,
  failures: { last?: string } = {},
): Promise<T | undefined> {
  const start = Date.now();
  let lastLog = 0;
  for (let polls = 0; ; polls++) {
    try {
      const v = await check();
      failures.last = undefined;
      if (v !== undefined) return v;
    } catch (e) {
      failures.last = (e as Error).message;
    }
    const elapsed = (Date.now() - start) / 1000;
    if (elapsed > timeoutSec) return undefined;
    if (Date.now() - lastLog > 10_000) {
      waiting(elapsed, failures.last);
      lastLog = Date.now();
    }
    await sleep(pollDelay(polls, pollMs));
  }
}

/** Polls `check` until it returns a value, logging what it waits for every 10 s; throws on timeout. */
export async function waitFor<T>(
  ctx: Pick<StageContext, "pollMs" | "log">,
  what: string,
  timeoutSec: number,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const failures: { last?: string } = {};
  const v = await pollUntil(
    timeoutSec,
    ctx.pollMs,
    check,
    (elapsed, error) =>
      ctx.log(`waiting for ${what} (${elapsed.toFixed(0)}s)${error ? `; last check failed: ${error}` : ""}`),
    failures,
  );
  if (v === undefined)
    throw new Error(
      `timed out after ${timeoutSec}s waiting for ${what}${failures.last ? ` (the last check failed: ${failures.last})` : ""}`,
    );
  return v;
}
