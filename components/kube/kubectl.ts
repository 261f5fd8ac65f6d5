import { spawnSync } from "child_process";

/** Result of one kubectl call. */
export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Thin kubectl runner: every Kubernetes operation of the stages goes through the real kubectl
 * with an explicit kubeconfig, so what the stage does is what an operator would type.
 */
export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    readonly binary = process.env.ECS_KUBECTL ?? "kubectl",
  ) {}

  run(args: string[], opts: { timeoutMs?: number } = {}): KubectlResult {
    const r = spawnSync(this.binary, ["--kubeconfig", this.kubeconfig, ...args], {
      encoding: "utf8",
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw new Error(`kubectl ${args.join(" ")}: ${r.error.message}`);
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs and throws with kubectl's own message on failure. */
  must(args: string[], opts: { timeoutMs?: number } = {}): string {
    const r = this.run(args, opts);
    if (r.status !== 0)
      throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /** `kubectl get -o json`; undefined when the object does not exist. */
  getJson<T>(args: string[]): T | undefined {
    const r = this.run(["get", ...args, "-o", "json"]);
    if (r.status !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(" ")} failed: ${r.stderr.trim()}`);
    }
    return JSON.parse(r.stdout) as T;
  }
}
