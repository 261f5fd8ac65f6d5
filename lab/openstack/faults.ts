// Realism knobs and fault injection: latency, boot/power/volume delays, injected HTTP errors,
// servers that end in ERROR. Quotas live in the state; crash/revoke live on the simulator handle.
import { randomUUID } from "node:crypto";

export interface Timing {
  /** Added before every API response. */
  apiLatencyMs: number;
  /** How long a new server stays in BUILD (the provider polls; each extra poll costs >= 3 s). */
  bootDelayMs: number;
  /** How long os-stop/os-start take (the server keeps its old status meanwhile). */
  powerDelayMs: number;
  /** How long volumes stay creating/attaching/detaching/extending. */
  volumeDelayMs: number;
  tokenTtlSeconds: number;
}

export const DEFAULT_TIMING: Timing = {
  apiLatencyMs: 0,
  bootDelayMs: 0,
  powerDelayMs: 0,
  volumeDelayMs: 0,
  tokenTtlSeconds: 3600,
};

export interface HttpFaultRule {
  id: string;
  /** HTTP method; any when absent. */
  method?: string;
  /** Substring of the request path (e.g. "/compute/v2.1/servers"), or a regex written as "/.../". */
  path: string;
  status: number;
  /** How many matching requests fail; then the rule is spent. */
  times: number;
  message?: string;
}

export interface BootFaultRule {
  id: string;
  /** Substring of the server name, or "/regex/"; every new server when absent. */
  nameMatches?: string;
  message: string;
  times: number;
}

function matches(pattern: string, text: string): boolean {
  if (pattern.length > 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
    return new RegExp(pattern.slice(1, -1)).test(text);
  }
  return text.includes(pattern);
}

export class Faults {
  readonly timing: Timing;
  private httpRules: HttpFaultRule[] = [];
  private bootRules: BootFaultRule[] = [];

  constructor(timing: Partial<Timing> = {}) {
    this.timing = { ...DEFAULT_TIMING };
    this.setTiming(timing);
  }

  /** Sets the given knobs; undefined values and unknown keys are ignored. */
  setTiming(t: Partial<Timing>): Timing {
    for (const key of Object.keys(DEFAULT_TIMING) as (keyof Timing)[]) {
      const v = t[key];
      if (typeof v === "number" && Number.isFinite(v) && v >= 0) this.timing[key] = v;
    }
    return { ...this.timing };
  }

  /** The next `times` requests matching method+path get `status` (e.g. 500, 503, 409). */
  injectHttpError(rule: Omit<HttpFaultRule, "id" | "times"> & { times?: number }): string {
    const id = randomUUID();
    this.httpRules.push({ ...rule, id, times: rule.times ?? 1 });
    return id;
  }

  /** The next `times` servers whose name matches end in ERROR with this fault message. */
  failNextBoot(rule: { nameMatches?: string; message?: string; times?: number } = {}): string {
    const id = randomUUID();
    this.bootRules.push({
      id,
      nameMatches: rule.nameMatches,
      message: rule.message ?? "Build of instance aborted: injected failure",
      times: rule.times ?? 1,
    });
    return id;
  }

  clear(): void {
    this.httpRules = [];
    this.bootRules = [];
  }

  list(): { http: HttpFaultRule[]; boot: BootFaultRule[] } {
    return { http: [...this.httpRules], boot: [...this.bootRules] };
  }

  /** Consumes one use of the first HTTP rule that matches. */
  takeHttpFault(method: string, path: string): HttpFaultRule | undefined {
    const rule = this.httpRules.find((r) => (!r.method || r.method === method) && matches(r.path, path));
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.httpRules = this.httpRules.filter((r) => r !== rule);
    return rule;
  }

  /** Consumes one use of a boot rule matching the server name; returns its fault message. */
  takeBootFault(serverName: string): string | undefined {
    const rule = this.bootRules.find((r) => !r.nameMatches || matches(r.nameMatches, serverName));
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.bootRules = this.bootRules.filter((r) => r !== rule);
    return rule.message;
  }
}
