import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * One lab component (etcd, kube-apiserver, a kwok "kubelet", ...) running as a child process with
 * its output in <logDir>/<name>.log. Children are killed when the Node process exits, so a failed
 * test run leaves no stray control plane behind.
 */
export class LabProcess {
  private child: ChildProcess | undefined;
  private exitInfo: string | undefined;

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly args: string[],
    private readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get logFile(): string {
    return path.join(this.logDir, `${this.name}.log`);
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** Restart after a crash, as systemd restarts a kubelet (kwok v0.8.0 can die on a map race). */
  restartOnCrash = false;
  private stopping = false;

  start(): void {
    if (this.running) return;
    this.stopping = false;
    const log = fs.openSync(this.logFile, "a");
    fs.writeSync(
      log,
      `--- start ${new Date().toISOString()}: ${path.basename(this.binary)} ${this.args.join(" ")}\n`,
    );
    this.exitInfo = undefined;
    const child = spawn(this.binary, this.args, { stdio: ["ignore", log, log], env: this.env });
    fs.closeSync(log);
    child.on("exit", (code, signal) => {
      this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      live.delete(child);
      if (this.restartOnCrash && !this.stopping) {
        fs.appendFileSync(this.logFile, `--- crashed (${this.exitInfo}); restarting\n`);
        setTimeout(() => {
          if (!this.stopping) this.start();
        }, 500);
      }
    });
    live.add(child);
    this.child = child;
  }

  /** Why the process ended, or undefined while it runs. */
  get exited(): string | undefined {
    return this.exitInfo;
  }

  /** SIGKILL: the machine lost power; nothing gets to say goodbye. */
  async kill(): Promise<void> {
    await this.stop("SIGKILL", 0);
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Resident memory in bytes (from /proc), 0 when not running. */
  rssBytes(): number {
    const pid = this.pid;
    if (pid === undefined) return 0;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
      return kb ? Number(kb[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** The last lines of the log, for error messages. */
  tail(lines = 15): string {
    try {
      return fs.readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});
