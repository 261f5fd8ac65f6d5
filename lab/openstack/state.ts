// The simulator's whole state, kept in memory and written to a JSON file after every change,
// so `pulumi up` after a simulator restart still finds its resources.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { buildInitialState, otherAccount, type SeedDescription } from "./seed";
import type { ServerRecord, SimState, TokenRecord, VolumeRecord } from "./types";

/** Counts of resources a Pulumi program created (seeded network, subnet, default group excluded). */
export interface ResourceSummary {
  servers: number;
  ports: number;
  volumes: number;
  serverGroups: number;
  keypairs: number;
  securityGroups: number;
  securityGroupRules: number;
  networks: number;
  subnets: number;
}

export class StateStore {
  state: SimState;

  constructor(
    private readonly file: string | undefined,
    seed: SeedDescription,
  ) {
    if (file && existsSync(file)) {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (!isSimState(parsed)) throw new Error(`state file ${file} is not a simulator state (version 1)`);
      this.state = upgrade(parsed, seed);
    } else {
      this.state = buildInitialState(seed);
      this.save();
    }
  }

  /** Atomic write (temp file + rename), owner-only permissions. */
  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 1), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  summary(): ResourceSummary {
    const s = this.state;
    const seededGroups = new Set(s.securityGroups.filter((g) => g.seeded).map((g) => g.id));
    return {
      servers: s.servers.length,
      ports: s.ports.length,
      volumes: s.volumes.length,
      serverGroups: s.serverGroups.length,
      keypairs: s.keypairs.length,
      securityGroups: s.securityGroups.filter((g) => !g.seeded).length,
      securityGroupRules: s.securityGroupRules.filter((r) => !seededGroups.has(r.securityGroupId)).length,
      networks: s.networks.filter((n) => !n.seeded).length,
      subnets: s.subnets.filter((n) => !n.seeded).length,
    };
  }

  /** True when only the seed remains (what `pulumi destroy` must leave behind). */
  isEmpty(): boolean {
    return Object.values(this.summary()).every((n) => n === 0);
  }
}

type Loose<T> = { [K in keyof T]?: T[K] };

/** Fills in fields that state files written by older simulators lack, so a lab's state keeps working. */
function upgrade(state: SimState, seed: SeedDescription): SimState {
  const s = state as Loose<SimState>;
  s.otherAccounts ??= [otherAccount(seed)];
  s.detachAudit ??= [];
  // Before projects were told apart, everything belonged to the lab's project.
  for (const x of [...state.servers, ...state.volumes] as Loose<ServerRecord | VolumeRecord>[])
    x.projectId ??= state.project.id;
  for (const t of state.tokens as Loose<TokenRecord>[]) {
    t.userId ??= state.user.id;
    t.projectId ??= t.scoped ? state.project.id : null;
  }
  return state;
}

function isSimState(v: unknown): v is SimState {
  return typeof v === "object" && v !== null && (v as { version?: unknown }).version === 1;
}
