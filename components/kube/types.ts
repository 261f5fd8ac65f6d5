/** The slices of Kubernetes objects the stages read. */

export interface Condition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeObject {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    uid?: string;
    deletionTimestamp?: string;
  };
  spec: { unschedulable?: boolean; taints?: Taint[] };
  status?: { conditions?: Condition[]; addresses?: Array<{ type: string; address: string }> };
}

export interface PodObject {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
  spec: { nodeName?: string };
  status?: { phase?: string };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface PdbObject {
  metadata: { name: string; namespace: string };
  spec: { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
  status?: {
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
  };
}

export interface List<T> {
  items: T[];
}

export interface LeaseObject {
  metadata: { name: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number };
}

/** RKE2's etcd member annotations on server Nodes. */
export const ETCD_REMOVE_ANNOTATION = "etcd.rke2.cattle.io/remove";
export const ETCD_REMOVED_ANNOTATION = "etcd.rke2.cattle.io/removed-node-name";
/** Taint of Kubernetes non-graceful node shutdown: pods are deleted and volumes detached. */
export const OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";

export function condition(node: NodeObject | undefined, type: string): Condition | undefined {
  return node?.status?.conditions?.find((c) => c.type === type);
}

export function isReady(node: NodeObject | undefined): boolean {
  return condition(node, "Ready")?.status === "True";
}

export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = (e.values ?? []).includes(labels[e.key]);
    if (e.operator === "In" && !inValues) return false;
    if (e.operator === "NotIn" && has && inValues) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** Annotation the evacuation-intent stage keeps current, so a delete uses today's mode, not the stored one. */
export const EVACUATION_ANNOTATION = "ecs.cloudera.com/evacuation";
