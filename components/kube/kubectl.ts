import { spawnSync } from "child_process";

/** Result of one kubectl call. */
export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  timeoutMs?: number;
  /** Written to kubectl's stdin (`-f -`): manifests never go on a command line. */
  input?: string;
}

/**
 * True only for the API server's own "this object does not exist" answer for `name`
 * (`Error from server (NotFound): nodes "x" not found`). A missing context, a wrong server, an
 * unknown resource type or a refused connection are not "absent": they are errors.
 */
export function isExactNotFound(stderr: string, name: string): boolean {
  const quoted = JSON.stringify(name);
  return stderr
    .split("\n")
    .some(
      (l) => l.startsWith("Error from server (NotFound): ") && l.trimEnd().endsWith(` ${quoted} not found`),
    );
}

/**
 * The environment the stages give the tools they run (kubectl, ssh): what a tool needs to find
 * itself, its home and a proxy, and nothing else. The stage itself inherits the operator's shell
 * (OS_PASSWORD, cloud tokens, PULUMI_*); the tools must not.
 */
export function toolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const keep =
    /^(PATH|HOME|USER|LOGNAME|LANG|LC_[A-Z]+|TZ|TMPDIR|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/;
  return Object.fromEntries(Object.entries(env).filter(([k]) => keep.test(k)));
}

/** The API server refused a write because the object changed meanwhile (compare-and-swap lost). */
export const isConflict = (stderr: string) => /^Error from server \(Conflict\)/m.test(stderr);
/** A create found the object already there (another writer won). */
export const isAlreadyExists = (stderr: string) => /^Error from server \(AlreadyExists\)/m.test(stderr);

/**
 * Thin kubectl runner: every Kubernetes operation of the stages goes through the real kubectl
 * with an explicit kubeconfig, so what the stage does is what an operator would type.
 */
export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    readonly binary = process.env.ECS_KUBECTL ?? "kubectl",
  ) {}

  run(args: string[], opts: KubectlOptions = {}): KubectlResult {
    const r = spawnSync(this.binary, ["--kubeconfig", this.kubeconfig, ...args], {
      encoding: "utf8",
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      input: opts.input,
      env: toolEnv(),
    });
    if (r.error) throw new Error(`kubectl ${args.join(" ")}: ${r.error.message}`);
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs and throws with kubectl's own message on failure. */
  must(args: string[], opts: KubectlOptions = {}): string {
    const r = this.run(args, opts);
    if (r.status !== 0)
      throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /**
   * One named object, or undefined only when the API server says that object is not found. Any
   * other failure throws: "cannot tell" must never read as "gone".
   */
  get<T>(kind: string, name: string, namespace?: string): T | undefined {
    const args = [kind, name, ...(namespace ? ["-n", namespace] : [])];
    const r = this.run(["get", ...args, "-o", "json"]);
    if (r.status === 0) return JSON.parse(r.stdout) as T;
    if (isExactNotFound(r.stderr, name)) return undefined;
    throw new Error(`kubectl get ${args.join(" ")} failed: ${r.stderr.trim() || `exit ${r.status}`}`);
  }

  /** `kubectl get <list>`: the items, or an error (never an empty list for a failure). */
  list<T>(args: string[]): T[] {
    const r = this.run(["get", ...args, "-o", "json"]);
    if (r.status !== 0)
      throw new Error(`kubectl get ${args.join(" ")} failed: ${r.stderr.trim() || `exit ${r.status}`}`);
    return (JSON.parse(r.stdout) as { items: T[] }).items;
  }
}
