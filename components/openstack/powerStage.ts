/**
 * Stage "VM power", between the CM host and the CM role: its delete half powers the VM off
 * through Nova (os-stop, waits for SHUTOFF) after the role is gone and before the CM host is
 * removed and the data volume is detached; its create half makes sure the VM runs (os-start
 * when it was left off). A data volume is never detached from a running VM (DESIGN.md
 * invariant 4), and a CM agent that is off cannot re-register the host CM just deleted.
 */
import * as pulumi from "@pulumi/pulumi";
import { pollDelay, sleep } from "../cloudera/transport";
import { RunRecord } from "../kube/runRecord";
import { OpenStackAuth } from "./auth";
import { Nova, NovaServer } from "./nova";

export interface VmPowerInputs {
  /** Hostname, for progress and the run record. */
  node: string;
  /** Nova server name (the node's short name) and id. */
  serverName: string;
  instanceId: string;
  /** The previous stage's id: a new previous stage means a new power stage (the chain's cascade). */
  upstream: string;
  /** `ecs-cluster` metadata of the cluster's VMs and the other nodes' VM names (a 404 proves "gone" only if they are visible). */
  clusterName: string;
  siblings: string[];
  /** JSON of the stack's OpenStack credentials; always a secret. */
  openstackAuth: string;
  runRecordDir?: string;
  /** Upper bound for the stop and start waits; default 600. */
  timeoutSec?: number;
}

export interface VmPowerOutputs extends VmPowerInputs {
  stage: "vm-power";
}

const IDENTITY: (keyof VmPowerInputs)[] = ["instanceId", "upstream"];
const log = (m: string) => {
  try {
    void pulumi.log.info(m);
  } catch {
    console.error(m);
  }
};

async function waitStatus(
  nova: Nova,
  inputs: VmPowerInputs,
  want: string,
  what: string,
): Promise<{ server: NovaServer; waitedSec: number }> {
  const start = Date.now();
  const timeoutSec = inputs.timeoutSec ?? 600;
  let lastLog = 0;
  for (let polls = 0; ; polls++) {
    const s = await nova.server(inputs.instanceId);
    if (!s) throw new Error(`server ${inputs.serverName} (${inputs.instanceId}) disappeared while ${what}`);
    if (s.status === want) return { server: s, waitedSec: Math.round((Date.now() - start) / 100) / 10 };
    if (s.status === "ERROR") throw new Error(`server ${inputs.serverName} went to ERROR while ${what}`);
    const waited = (Date.now() - start) / 1000;
    if (waited > timeoutSec)
      throw new Error(`server ${inputs.serverName} still ${s.status} after ${Math.round(waited)}s ${what}`);
    if (Date.now() - lastLog > 10_000) {
      log(`${inputs.node} vm-power: ${what}: Nova says ${s.status} (${Math.round(waited)}s)`);
      lastLog = Date.now();
    }
    await sleep(pollDelay(polls, 2000));
  }
}

/** Powers the VM off and waits for SHUTOFF; a VM Nova verifiably no longer has is fine too. */
export async function powerOff(inputs: VmPowerInputs, record: RunRecord): Promise<void> {
  const nova = await Nova.connect(JSON.parse(inputs.openstackAuth) as OpenStackAuth);
  const s = await nova.server(inputs.instanceId);
  if (!s) {
    const visible = (await nova.listServers()).filter(
      (x) => x.metadata["ecs-cluster"] === inputs.clusterName && inputs.siblings.includes(x.name),
    );
    if (visible.length === 0)
      throw new Error(
        `Nova answered 404 for ${inputs.serverName} (${inputs.instanceId}) and this token sees none of the cluster's ` +
          `other VMs: wrong project or region? Nothing was detached. Fix: check the stack's openstack:* settings.`,
      );
    record.note("vm", { status: "GONE", visibleSiblings: visible.map((x) => x.name) });
    log(`${inputs.node} vm-power: the VM no longer exists in Nova; nothing to power off`);
    return;
  }
  record.note("statusBefore", s.status);
  if (s.status !== "SHUTOFF") {
    log(
      `${inputs.node} vm-power: stopping ${inputs.serverName} (Nova says ${s.status}) before its volume is detached`,
    );
    try {
      await nova.stop(inputs.instanceId);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}. Its data volume stays attached until the VM is off. Fix: bring the server to a ` +
          "state Nova can stop (e.g. openstack server resume / unpause), or stop it by hand, then re-run.",
      );
    }
    const { waitedSec } = await waitStatus(nova, inputs, "SHUTOFF", "waiting for it to power off");
    record.note("stopWaitSec", waitedSec);
  }
  record.note("statusAfter", "SHUTOFF");
  log(`${inputs.node} vm-power: ${inputs.serverName} is SHUTOFF`);
}

/** Makes sure the VM runs: waits for ACTIVE, starts it when it was left SHUTOFF. */
export async function powerOn(inputs: VmPowerInputs, record: RunRecord): Promise<void> {
  const nova = await Nova.connect(JSON.parse(inputs.openstackAuth) as OpenStackAuth);
  const s = await nova.server(inputs.instanceId);
  if (!s) throw new Error(`Nova has no server ${inputs.serverName} (${inputs.instanceId})`);
  record.note("statusBefore", s.status);
  if (s.status === "SHUTOFF") {
    log(`${inputs.node} vm-power: starting ${inputs.serverName} (it was SHUTOFF)`);
    await nova.start(inputs.instanceId);
  }
  if (s.status !== "ACTIVE") await waitStatus(nova, inputs, "ACTIVE", "waiting for it to run");
  record.note("statusAfter", "ACTIVE");
}

export const vmPowerProvider = {
  async check(_olds: VmPowerInputs, news: VmPowerInputs) {
    const failures: { property: string; reason: string }[] = [];
    for (const key of ["node", "serverName", "instanceId", "upstream", "openstackAuth"] as const) {
      if (typeof news[key] !== "string" || news[key] === "")
        failures.push({ property: key, reason: `${key} is required` });
    }
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: VmPowerOutputs, news: VmPowerInputs) {
    const replaces = IDENTITY.filter((k) => olds[k] !== news[k]).map(String);
    const changes = Object.keys({ ...olds, ...news }).some(
      (k) =>
        k !== "__provider" &&
        k !== "stage" &&
        JSON.stringify(olds[k as keyof VmPowerInputs]) !== JSON.stringify(news[k as keyof VmPowerInputs]),
    );
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async update(_id: string, _olds: VmPowerOutputs, news: VmPowerInputs) {
    return { outs: { ...news, stage: "vm-power" } };
  },
};

export type VmPowerArgs = { [K in keyof VmPowerInputs]: pulumi.Input<VmPowerInputs[K]> };
