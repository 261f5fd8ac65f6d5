/**
 * Failure-detection timings. Kubernetes defaults (50 s grace, 300 s tolerations) would make each
 * test case take minutes; these keep the seed's behaviour with seconds instead.
 */
export interface KubeLabTimings {
  /** kube-controller-manager --node-monitor-grace-period: lease silence before NotReady. */
  nodeMonitorGracePeriodSeconds: number;
  /** kube-controller-manager --node-monitor-period: how often node health is checked. */
  nodeMonitorPeriodSeconds: number;
  /** kube-controller-manager --node-startup-grace-period: a new node's time to first report. */
  nodeStartupGracePeriodSeconds: number;
  /** kube-apiserver --default-unreachable-toleration-seconds: pods stay this long on an unreachable node. */
  defaultUnreachableTolerationSeconds: number;
  /** kube-apiserver --default-not-ready-toleration-seconds. */
  defaultNotReadyTolerationSeconds: number;
  /** kwok --node-lease-duration-seconds; the lease is renewed every quarter of it. */
  nodeLeaseDurationSeconds: number;
  /** How long startKubeLab waits for the control plane, nodes and workloads. */
  readyTimeoutSeconds: number;
}

export const DEFAULT_TIMINGS: KubeLabTimings = {
  nodeMonitorGracePeriodSeconds: 8,
  nodeMonitorPeriodSeconds: 1,
  nodeStartupGracePeriodSeconds: 30,
  defaultUnreachableTolerationSeconds: 10,
  defaultNotReadyTolerationSeconds: 10,
  nodeLeaseDurationSeconds: 4,
  readyTimeoutSeconds: 180,
};
