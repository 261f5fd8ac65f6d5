import * as pulumi from "@pulumi/pulumi";
import { changedKeys, checkConnection, CmConnectionArgs, CmConnectionInputs, connect } from "./stage-inputs";

export interface RefreshInputs extends CmConnectionInputs {
  /** Anything whose change needs a refresh, typically every Role stage's roleName. */
  triggers: string[];
}

export interface RefreshOutputs extends RefreshInputs {
  refreshedAt: string;
  stage: "cm-refresh";
}

/**
 * Cluster-wide "refresh ECS" (POST /clusters/{c}/commands/refresh) after the role stages: runs on create and
 * whenever a trigger changes (update); delete does nothing, there is nothing to undo.
 */
export const refreshProvider: pulumi.dynamic.ResourceProvider<RefreshInputs, RefreshOutputs> = {
  async check(_olds, news) {
    const failures = checkConnection(news);
    if (!Array.isArray(news.triggers))
      failures.push({ property: "triggers", reason: "triggers must be a list" });
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const changes = changedKeys({ ...olds, refreshedAt: undefined, stage: undefined }, { ...news });
    return { changes: changes.length > 0, replaces: olds.cluster !== news.cluster ? ["cluster"] : [] };
  },

  async create(inputs) {
    const ops = await connect(inputs);
    await ops.refresh();
    return {
      id: `${inputs.cluster}-refresh`,
      outs: { ...inputs, refreshedAt: new Date().toISOString(), stage: "cm-refresh" },
    };
  },

  async update(_id, olds, news) {
    if (!triggersChanged(olds, news)) {
      return { outs: { ...news, refreshedAt: olds.refreshedAt, stage: "cm-refresh" } };
    }
    const ops = await connect(news);
    await ops.refresh();
    return { outs: { ...news, refreshedAt: new Date().toISOString(), stage: "cm-refresh" } };
  },
};

/** A refresh is due only when a trigger (a role) changed; other input changes are bookkeeping. */
export function triggersChanged(
  olds: Pick<RefreshInputs, "triggers">,
  news: Pick<RefreshInputs, "triggers">,
): boolean {
  return JSON.stringify(olds.triggers) !== JSON.stringify(news.triggers);
}

export type RefreshArgs = CmConnectionArgs & { triggers: pulumi.Input<pulumi.Input<string>[]> };
