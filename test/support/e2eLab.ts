import * as fs from "fs";
import * as path from "path";
import { parseRunRecord, type StageRecord } from "../../components/kube/runRecord";
import type { EcsLab } from "../../lab/ecs";
import { labStackConfig, LabConfigMap } from "../../lab/ecs/stackConfig";
import type { EngineStack } from "./engine";

/** Lab-only credentials the e2e files give the lab and the stack. */
export const OS_PASSWORD = "lab-openstack-password";
export const CM_PASSWORD = "lab-cm-password";

/**
 * The `lab` stack's config for an e2e file, with per-node settings that accumulate as successive
 * pull requests would (rebuild, rejoin, evacuation, host keys).
 */
export class LabStackConfig {
  readonly overrides: Record<string, Record<string, unknown>> = {};
  /** Fields of `ecs:openstack` changed from the lab's defaults. */
  private openstack: Record<string, unknown> = {};

  constructor(
    private readonly lab: () => EcsLab,
    private readonly records: () => string,
    /** The operator's kubeconfig file (ecs:kubernetes.kubeconfigPath); default: the lab's admin kubeconfig. */
    private readonly kubeconfig?: () => string,
  ) {}

  full(): LabConfigMap {
    const lab = this.lab();
    const config = labStackConfig({
      openstack: lab.openstack,
      openstackPassword: OS_PASSWORD,
      cmUrl: lab.cm.url,
      cmPassword: CM_PASSWORD,
      cmCaFile: lab.cmCaFile,
      kubeconfig: this.kubeconfig?.() ?? lab.kube.kubeconfig,
      runRecordDir: this.records(),
      nodes: this.overrides,
      ssh: lab.ssh,
    });
    const openstack = { ...(config["ecs:openstack"].objectValue as object), ...this.openstack };
    config["ecs:openstack"] = { value: JSON.stringify(openstack), objectValue: openstack };
    return config;
  }

  /** Changes fields of `ecs:openstack` in the stack (a new flavor for a role, say), as a pull request would. */
  async setOpenstack(env: EngineStack, fields: Record<string, unknown>): Promise<void> {
    this.openstack = { ...this.openstack, ...fields };
    await env.stack.setAllConfigJson(JSON.stringify({ "ecs:openstack": this.full()["ecs:openstack"] }));
  }

  /** Sets an object-valued key of the `ecs` namespace (`ecs:rollout`, say), as a pull request would. */
  async setObject(env: EngineStack, key: string, value: Record<string, unknown>): Promise<void> {
    await env.stack.setAllConfigJson(
      JSON.stringify({ [key]: { value: JSON.stringify(value), objectValue: value } }),
    );
  }

  /** Changes one node's entry of `ecs:nodes` in the stack, as a pull request would. */
  async setNode(env: EngineStack, name: string, fields: Record<string, unknown>): Promise<void> {
    this.overrides[name] = { ...this.overrides[name], ...fields };
    await env.stack.setAllConfigJson(JSON.stringify({ "ecs:nodes": this.full()["ecs:nodes"] }));
  }
}

/** What the lab shows of the cluster, for the e2e assertions (reads only). */
export class LabView {
  constructor(
    private readonly lab: () => EcsLab,
    private readonly records: () => string,
  ) {}

  vmOf(name: string) {
    return this.lab()
      .openstack.snapshot()
      .servers.find((s) => s.name === name)!;
  }

  cmHostsOf(hostname: string) {
    return [...this.lab().cm.state.hosts.values()].filter((h) => h.hostname === hostname);
  }

  cmRolesOf(hostname: string) {
    const cm = this.lab().cm.state;
    return [...cm.roles.values()].filter((r) => cm.hosts.get(r.hostId)?.hostname === hostname);
  }

  async readyNodes(): Promise<string[]> {
    const nodes = await this.lab().kube.kubectl.json<{
      items: Array<{
        metadata: { name: string };
        status: { conditions: Array<{ type: string; status: string }> };
      }>;
    }>(["get", "nodes"]);
    return nodes.items
      .filter((n) => n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"))
      .map((n) => n.metadata.name)
      .sort();
  }

  /** The run record entries of one node's stage, oldest first, parsed by the product's own parser. */
  recordsOf<T extends StageRecord = StageRecord>(hostname: string, stage: string): T[] {
    return (
      parseRunRecord(fs.readFileSync(path.join(this.records(), "records.jsonl"), "utf8")) as T[]
    ).filter((l) => l.node === hostname && l.stage === stage);
  }
}
