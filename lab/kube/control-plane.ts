import * as path from "path";
import { LabBinaries } from "./binaries";
import { LabPki } from "./pki";
import { LabProcess } from "./process";
import { KubeLabTimings } from "./timings";

/** Loopback ports the control plane listens on (chosen free at start). */
export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

export interface ControlPlaneLayout {
  dir: string;
  logDir: string;
  kubeconfig: string;
  pki: LabPki;
  ports: ControlPlanePorts;
  timings: KubeLabTimings;
}

/** Single-member etcd on 127.0.0.1. fsync is off: the data is throw-away and the disk is shared. */
export function etcdProcess(bins: LabBinaries, l: ControlPlaneLayout): LabProcess {
  const client = `http://127.0.0.1:${l.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${l.ports.etcdPeer}`;
  return new LabProcess(
    "etcd",
    bins.etcd,
    [
      "--name=lab",
      `--data-dir=${path.join(l.dir, "etcd")}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=lab=${peer}`,
      "--unsafe-no-fsync",
      "--quota-backend-bytes=1073741824",
      "--log-level=warn",
    ],
    l.logDir,
  );
}

/**
 * kube-apiserver, secure port only, on 127.0.0.1. Client certificates signed by the lab CA
 * authenticate; RBAC authorizes. The default tolerations decide how long pods stay on a dead node.
 */
export function apiserverProcess(bins: LabBinaries, l: ControlPlaneLayout): LabProcess {
  return new LabProcess(
    "kube-apiserver",
    bins.kubeApiserver,
    [
      `--etcd-servers=http://127.0.0.1:${l.ports.etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${l.ports.apiserver}`,
      `--tls-cert-file=${l.pki.servingCert}`,
      `--tls-private-key-file=${l.pki.servingKey}`,
      `--client-ca-file=${l.pki.caCert}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${l.pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${l.pki.serviceAccountKey}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--service-cluster-ip-range=10.43.0.0/16",
      // Endpoints may not point at loopback, so the apiserver must not publish its own address.
      "--endpoint-reconciler-type=none",
      `--default-unreachable-toleration-seconds=${l.timings.defaultUnreachableTolerationSeconds}`,
      `--default-not-ready-toleration-seconds=${l.timings.defaultNotReadyTolerationSeconds}`,
      "--profiling=false",
      "--v=1",
    ],
    l.logDir,
  );
}

/**
 * kube-controller-manager with short node-lifecycle timings: node NotReady and tainted within
 * seconds of its lease going silent; taint-based eviction and pod GC as in any cluster.
 * No HTTPS port: readiness is read from its leader lease instead.
 */
export function controllerManagerProcess(bins: LabBinaries, l: ControlPlaneLayout): LabProcess {
  const t = l.timings;
  return new LabProcess(
    "kube-controller-manager",
    bins.kubeControllerManager,
    [
      `--kubeconfig=${l.kubeconfig}`,
      "--secure-port=0",
      `--service-account-private-key-file=${l.pki.serviceAccountKey}`,
      `--root-ca-file=${l.pki.caCert}`,
      "--cluster-cidr=10.42.0.0/16",
      "--service-cluster-ip-range=10.43.0.0/16",
      `--node-monitor-grace-period=${t.nodeMonitorGracePeriodSeconds}s`,
      `--node-monitor-period=${t.nodeMonitorPeriodSeconds}s`,
      `--node-startup-grace-period=${t.nodeStartupGracePeriodSeconds}s`,
      "--terminated-pod-gc-threshold=100",
      "--profiling=false",
      "--v=1",
    ],
    l.logDir,
  );
}

export function schedulerProcess(bins: LabBinaries, l: ControlPlaneLayout): LabProcess {
  return new LabProcess(
    "kube-scheduler",
    bins.kubeScheduler,
    [`--kubeconfig=${l.kubeconfig}`, "--secure-port=0", "--profiling=false", "--v=1"],
    l.logDir,
  );
}
