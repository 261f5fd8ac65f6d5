/** Faults the simulator injects; mutable at run time through `sim.faults`. */
export interface CmFaults {
  /** The next `count` requests (optionally only those whose path contains `pathContains`) answer `status`. */
  serverErrors?: { count: number; status?: 500 | 502 | 503; pathContains?: string };
  /** The next `count` requests answer 429 with a Retry-After header. */
  rateLimit?: { count: number; retryAfterSeconds?: number };
  /** The next `count` requests have their connection dropped without an answer. */
  dropConnections?: { count: number };
  /** Extra delay before every answer. */
  latencyMs?: number;
  /** Commands that end with success:false and this CM message (`times` defaults to 1). */
  failCommands?: { name: string; hostname?: string; message: string; times?: number }[];
  /** Hostnames whose CM agent never heartbeats, whatever the lab asks for. */
  silentAgents?: string[];
}

/** Consumes one unit of a counted fault; returns whether it applied. */
export function takeCounted(fault: { count: number } | undefined): boolean {
  if (!fault || fault.count <= 0) return false;
  fault.count -= 1;
  return true;
}
