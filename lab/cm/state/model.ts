import type {
  ApiConfigStalenessStatus,
  ApiRoleState,
} from "../../../components/cloudera/api-types.generated";

/** Internal records of the simulated CM; rendered into API models by views.ts. */
export interface HostRecord {
  hostId: string;
  hostname: string;
  ipAddress: string;
  clusterName?: string;
  /** Whether the agent is heartbeating now. */
  agentUp: boolean;
  /** When the last heartbeat arrived (ms); while the agent is up, reads report "now". */
  lastHeartbeatMs: number;
}

export interface ServiceRecord {
  name: string;
  type: "ECS" | "DOCKER";
  clusterName: string;
  staleness: ApiConfigStalenessStatus;
}

export interface RoleRecord {
  name: string;
  type: string;
  serviceName: string;
  clusterName: string;
  hostId: string;
  state: ApiRoleState;
  staleness: ApiConfigStalenessStatus;
}

export interface CommandRecord {
  id: number;
  name: string;
  startMs: number;
  endMs?: number;
  active: boolean;
  success?: boolean;
  resultMessage?: string;
  clusterName?: string;
  serviceName?: string;
  roleName?: string;
  hostId?: string;
  childIds: number[];
  parentId?: number;
  timer?: NodeJS.Timeout;
  /** Called when the command is aborted while active. */
  onAbort?: () => void;
}

export interface Timings {
  /** How long a role takes to start or stop (STARTING/STOPPING in between). */
  roleTransitionMs: number;
  /** How long a cluster refresh or host removal command runs. */
  commandMs: number;
  /** A host whose last heartbeat is older than this is reported with BAD health. */
  heartbeatGraceMs: number;
}

export const DEFAULT_TIMINGS: Timings = { roleTransitionMs: 300, commandMs: 200, heartbeatGraceMs: 1000 };
