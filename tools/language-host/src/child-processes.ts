// Spawning helpers shared by Run, RunPlugin and InstallDependencies, plus the registry that the
// Cancel RPC uses to interrupt whatever is still running.
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";

const running = new Set<ChildProcess>();

/** Tracks a child until it exits, so `cancelAll` can reach it. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once("close", () => running.delete(child));
  return child;
}

/** Interrupts every tracked child (SIGINT, as the Go host does) and kills it if it lingers. */
export function cancelAll(graceMs = 5000): void {
  for (const child of running) {
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    timer.unref();
    child.once("close", () => clearTimeout(timer));
  }
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves when the child has exited and its stdio is drained; rejects if it could not start. */
export function waitForExit(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

/** Like Go's exec.LookPath: the first executable file called `name` on PATH. */
export function lookPath(name: string): string | undefined {
  if (name.includes(path.sep)) return name;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
