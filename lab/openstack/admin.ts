// The simulator's own control API ("/_sim"), for a lab in another process: faults, timing, quotas,
// crash a server, revoke tokens, the live-detach policy and detach audit, the state summary, and a
// server-event stream (SSE).
import type { ServerResponse } from "node:http";
import type { SimContext } from "./context";
import { liveDetachPolicy } from "./detach";
import { ApiError, noContent, ok, Router } from "./http";
import { optNumber, optString, record } from "./json";
import { crash } from "./nova";
import type { Quotas, SimState } from "./types";
import type { Timing } from "./faults";

function numbers<K extends string>(body: unknown, keys: readonly K[]): Partial<Record<K, number>> {
  const b = record(body, "body");
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) {
    const v = optNumber(b, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const TIMING_KEYS = [
  "apiLatencyMs",
  "bootDelayMs",
  "powerDelayMs",
  "volumeDelayMs",
  "tokenTtlSeconds",
] as const;
const QUOTA_KEYS = [
  "instances",
  "cores",
  "ramMb",
  "volumes",
  "gigabytes",
  "ports",
  "securityGroups",
  "securityGroupRules",
] as const;

/** State without token hashes (nothing secret is in the state, but tokens are nobody's business). */
export function redactedState(state: SimState): Omit<SimState, "tokens"> {
  const copy = JSON.parse(JSON.stringify(state)) as Partial<SimState>;
  delete copy.tokens;
  return copy as Omit<SimState, "tokens">;
}

export function adminRouter(ctx: SimContext): Router {
  const r = new Router();
  r.on("GET", "/health", () => ok({ ok: true }));
  r.on("GET", "/summary", () => ok({ summary: ctx.store.summary(), empty: ctx.store.isEmpty() }));
  r.on("GET", "/state", () => ok(redactedState(ctx.store.state)));
  r.on("GET", "/timing", () => ok(ctx.faults.timing));
  r.on("PUT", "/timing", (req) =>
    ok(ctx.faults.setTiming(numbers(req.body, TIMING_KEYS) as Partial<Timing>)),
  );
  r.on("PUT", "/quotas", (req) => {
    Object.assign(ctx.store.state.quotas, numbers(req.body, QUOTA_KEYS) as Partial<Quotas>);
    return ok(ctx.store.state.quotas);
  });
  r.on("GET", "/faults", () => ok(ctx.faults.list()));
  r.on("DELETE", "/faults", () => {
    ctx.faults.clear();
    return noContent();
  });
  r.on("POST", "/faults/http", (req) => {
    const b = record(req.body, "body");
    const status = optNumber(b, "status");
    if (status === undefined) throw ApiError.badRequest("'status' is required");
    const id = ctx.faults.injectHttpError({
      method: optString(b, "method"),
      path: optString(b, "path") ?? "",
      status,
      times: optNumber(b, "times"),
      message: optString(b, "message"),
    });
    return ok({ id }, 201);
  });
  r.on("POST", "/faults/boot", (req) => {
    const b = record(req.body, "body");
    const id = ctx.faults.failNextBoot({
      nameMatches: optString(b, "nameMatches"),
      message: optString(b, "message"),
      times: optNumber(b, "times"),
    });
    return ok({ id }, 201);
  });
  r.on("POST", "/servers/:id/crash", (_q, p) => {
    crash(ctx, p.id);
    return noContent(202);
  });
  r.on("GET", "/detach-audit", () => ok({ detaches: ctx.store.state.detachAudit }));
  r.on("GET", "/policy", () => ok(ctx.policy));
  r.on("PUT", "/policy", (req) => {
    const b = record(req.body, "body");
    if (b.liveDetach !== undefined) ctx.policy.liveDetach = liveDetachPolicy(b.liveDetach);
    return ok(ctx.policy);
  });
  r.on("POST", "/tokens/revoke", () => {
    ctx.store.state.tokens = [];
    return noContent();
  });
  return r;
}

/** Streams server events as Server-Sent Events until the client goes away. */
export function streamEvents(ctx: SimContext, res: ServerResponse): void {
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
  });
  res.write(": openstack-simulator events\n\n");
  const listener = (e: unknown): void => {
    res.write(`event: server\ndata: ${JSON.stringify(e)}\n\n`);
  };
  ctx.hooks.onServer(listener);
  res.on("close", () => ctx.hooks.off("server", listener));
}
