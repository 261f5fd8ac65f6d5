/** The few fields of Kubernetes objects the lab and its tests read (not full API types). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  finalizers?: string[];
  ownerReferences?: { kind: string; name: string }[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
}

export interface Node {
  metadata: ObjectMeta;
  spec: { taints?: Taint[]; unschedulable?: boolean; podCIDR?: string };
  status?: { conditions?: Condition[]; addresses?: { type: string; address: string }[] };
}

export interface Pod {
  metadata: ObjectMeta;
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: Condition[]; podIP?: string };
}

export interface List<T> {
  items: T[];
}

/** "True", "False", "Unknown", or undefined when the node never reported. */
export function nodeReady(node: Node): Condition["status"] | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status;
}

export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}
