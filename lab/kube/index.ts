import * as fs from "fs";
import * as path from "path";
import { LabBinaries, labBinaries } from "./binaries";
import {
  ControlPlaneLayout,
  apiserverProcess,
  controllerManagerProcess,
  etcdProcess,
  schedulerProcess,
} from "./control-plane";
import { Kubectl } from "./kubectl";
import { writeAdminKubeconfig } from "./kubeconfig";
import { kwokNodeProcess } from "./kwok-node";
import { LabNodeSpec, nodeManifest, podCidrFor } from "./nodes";
import { makeLabPki } from "./pki";
import { freeLoopbackPort } from "./ports";
import { LabProcess } from "./process";
import { apiserverReady, etcdHealthy, leaseHeld, nodesReady, unreadyWorkloads } from "./readiness";
import { DEFAULT_TIMINGS, KubeLabTimings } from "./timings";
import { StopWaiting, waitFor } from "./wait";

export { ECS_LAB_NODES, nodeLabels } from "./nodes";
export type { LabNodeSpec } from "./nodes";
export { DEFAULT_TIMINGS } from "./timings";
export type { KubeLabTimings } from "./timings";
export { Kubectl } from "./kubectl";

/** The sample ECS workloads applied by default. */
export const ECS_WORKLOADS_DIR = path.join(__dirname, "workloads");

export interface KubeLabOptions {
  /** Lab directory (etcd data, certificates, kubeconfig, logs). Wiped at start if it holds an old lab. */
  dir: string;
  nodes: readonly LabNodeSpec[];
  timings?: Partial<KubeLabTimings>;
  /** Directory of YAML to `kubectl apply` once the nodes are Ready; false for none. */
  workloads?: string | false;
  /** Binaries to use; default: the build-lab.sh cache. */
  binaries?: LabBinaries;
}

export interface KubeLab {
  /** Admin kubeconfig (certificates by path; the file holds no key material). */
  kubeconfig: string;
  /** The lab's kubectl, bound to the kubeconfig. */
  kubectl: Kubectl;
  nodes: readonly LabNodeSpec[];
  timings: KubeLabTimings;
  /** Seconds from start to all nodes Ready and workloads running. */
  startupSeconds: number;
  /** The node's machine dies: its kwok process is killed (SIGKILL). */
  stopNode(name: string): Promise<void>;
  /** The node boots: registers its Node again if it was deleted, and resolves once it is Ready. */
  startNode(name: string): Promise<void>;
  /** Resident memory of every lab process, summed. */
  rssBytes(): number;
  stop(): Promise<void>;
}

const MARKER = ".ecs-kube-lab";

/** Starts etcd, the control plane and one kwok process per node, all on loopback. */
export async function startKubeLab(opts: KubeLabOptions): Promise<KubeLab> {
  const started = Date.now();
  const timings: KubeLabTimings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const bins = opts.binaries ?? labBinaries();
  const dir = path.resolve(opts.dir);
  prepareDir(dir);
  const logDir = path.join(dir, "logs");
  fs.mkdirSync(logDir);

  const layout: ControlPlaneLayout = {
    dir,
    logDir,
    kubeconfig: path.join(dir, "kubeconfig"),
    pki: makeLabPki(path.join(dir, "pki")),
    ports: {
      etcdClient: await freeLoopbackPort(),
      etcdPeer: await freeLoopbackPort(),
      apiserver: await freeLoopbackPort(),
    },
    timings,
  };
  writeAdminKubeconfig(layout.kubeconfig, `https://127.0.0.1:${layout.ports.apiserver}`, layout.pki);
  const kubectl = new Kubectl(bins.kubectl, layout.kubeconfig);

  const etcd = etcdProcess(bins, layout);
  const apiserver = apiserverProcess(bins, layout);
  const controlPlane = [
    etcd,
    apiserver,
    controllerManagerProcess(bins, layout),
    schedulerProcess(bins, layout),
  ];
  const kwoks = new Map<string, LabProcess>();
  opts.nodes.forEach((node, i) =>
    kwoks.set(
      node.name,
      kwokNodeProcess(
        bins,
        node,
        podCidrFor(i + 1),
        layout.kubeconfig,
        logDir,
        timings.nodeLeaseDurationSeconds,
      ),
    ),
  );
  for (const p of kwoks.values()) p.restartOnCrash = true;
  const all = (): LabProcess[] => [...kwoks.values(), ...[...controlPlane].reverse()];
  const stop = async (): Promise<void> => {
    for (const p of all()) await p.stop();
  };

  const timeoutMs = timings.readyTimeoutSeconds * 1000;
  // While waiting, a component that exits is a failure with its log tail, not a timeout.
  const watched = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> =>
    waitFor(
      what,
      async () => {
        const dead = all().find((p) => p.exited !== undefined && !p.restartOnCrash);
        if (dead) throw new StopWaiting(`${dead.name} exited (${dead.exited}):\n${dead.tail()}`);
        return check();
      },
      timeoutMs,
    );

  const nodeIndex = new Map(opts.nodes.map((n, i) => [n.name, i + 1]));
  const registerNode = async (node: LabNodeSpec): Promise<void> => {
    const manifest = nodeManifest(node, podCidrFor(nodeIndex.get(node.name) ?? 0));
    await kubectl.ok(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
  };

  try {
    etcd.start();
    await watched("etcd health", () => etcdHealthy(layout.ports.etcdClient));
    apiserver.start();
    await watched("kube-apiserver /readyz", () => apiserverReady(layout.ports.apiserver, layout.pki));
    for (const p of controlPlane.slice(2)) p.start();
    for (const node of opts.nodes) await registerNode(node);
    for (const p of kwoks.values()) p.start();
    await watched("kube-controller-manager leader lease", () =>
      leaseHeld(kubectl, "kube-controller-manager"),
    );
    await watched("kube-scheduler leader lease", () => leaseHeld(kubectl, "kube-scheduler"));
    await watched("all nodes Ready", () =>
      nodesReady(
        kubectl,
        opts.nodes.map((n) => n.name),
      ),
    );
    if (opts.workloads !== false) await applyWorkloads(kubectl, opts.workloads ?? ECS_WORKLOADS_DIR, watched);
  } catch (err) {
    await stop();
    throw err;
  }

  const kwokFor = (name: string): LabProcess => {
    const p = kwoks.get(name);
    if (!p) throw new Error(`no lab node named ${name}`);
    return p;
  };

  return {
    kubeconfig: layout.kubeconfig,
    kubectl,
    nodes: opts.nodes,
    timings,
    startupSeconds: (Date.now() - started) / 1000,
    stopNode: (name) => kwokFor(name).kill(),
    startNode: async (name) => {
      const p = kwokFor(name);
      const node = opts.nodes.find((n) => n.name === name);
      if (node) await registerNode(node);
      p.start();
      await watched(`node ${name} Ready`, () => nodesReady(kubectl, [name]));
    },
    rssBytes: () => all().reduce((sum, p) => sum + p.rssBytes(), 0),
    stop,
  };
}

/**
 * Applies the namespaces first and waits for their default ServiceAccounts (pods are refused
 * until those exist), then everything else; resolves when every workload is Ready.
 */
async function applyWorkloads(
  kubectl: Kubectl,
  dir: string,
  watched: <T>(what: string, check: () => Promise<T | undefined>) => Promise<T>,
): Promise<void> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  const namespaces = files.filter((f) => fs.readFileSync(f, "utf8").includes("kind: Namespace"));
  for (const f of namespaces) await kubectl.ok(["apply", "-f", f]);
  const names = (await kubectl.ok(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"])).split(
    " ",
  );
  for (const ns of names) {
    await watched(`ServiceAccount default in ${ns}`, async () =>
      (await kubectl.run(["get", "serviceaccount", "default", "-n", ns])).code === 0 ? true : undefined,
    );
  }
  for (const f of files.filter((f) => !namespaces.includes(f))) await kubectl.ok(["apply", "-f", f]);
  await watched("sample workloads Ready", async () =>
    (await unreadyWorkloads(kubectl)).length === 0 ? true : undefined,
  );
}

/** Refuses to wipe a directory that is not a previous lab (a typo must not delete a checkout). */
function prepareDir(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    if (!fs.existsSync(path.join(dir, MARKER))) {
      throw new Error(`${dir} is not empty and is not a kube lab directory; choose an empty or new one`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, MARKER), "created by lab/kube startKubeLab; wiped on the next start\n");
}
