// Minimal routing and error model shared by the service modules (no framework, Node's http only).
import type { IncomingHttpHeaders } from "node:http";

/** An API error; each service renders it in its own error body shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Neutron error type, e.g. "IpAddressAlreadyAllocated". */
    readonly type?: string,
  ) {
    super(message);
  }
  static badRequest(message: string, type?: string): ApiError {
    return new ApiError(400, message, type ?? "BadRequest");
  }
  static notFound(message: string, type?: string): ApiError {
    return new ApiError(404, message, type ?? "NotFound");
  }
  static conflict(message: string, type?: string): ApiError {
    return new ApiError(409, message, type ?? "Conflict");
  }
  static forbidden(message: string, type?: string): ApiError {
    return new ApiError(403, message, type ?? "Forbidden");
  }
}

export interface Req {
  method: string;
  /** Path below the service prefix, without a trailing slash, e.g. "/servers/abc". */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Full URL of the simulator root, e.g. "http://127.0.0.1:5000". */
  baseUrl: string;
  /** Project of the request's token; undefined where no token is needed (version documents, /_sim). */
  projectId?: string;
}

export interface Res {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Params = Record<string, string>;
export type Handler = (req: Req, params: Params) => Res;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

/** Matches "/servers/:id/action" style patterns; the first route that fits wins. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: split(pattern), handler });
    return this;
  }

  /** Returns undefined when no path matches, or a 405 result when only the method is wrong. */
  dispatch(req: Req): Res | undefined {
    const parts = split(req.path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === req.method || (route.method === "GET" && req.method === "HEAD")) {
        return route.handler(req, params);
      }
    }
    if (pathMatched) throw new ApiError(405, `The method ${req.method} is not allowed for this resource.`);
    return undefined;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

function matchParts(pattern: string[], parts: string[]): Params | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(parts[i]);
    else if (p !== parts[i]) return undefined;
  }
  return params;
}

export function ok(body: unknown, status = 200, headers?: Record<string, string>): Res {
  return { status, body, headers };
}

export function noContent(status = 204): Res {
  return { status };
}

/** The compute microversion the client asked for ("2.64"), or undefined for the base version. */
export function novaMicroversion(headers: IncomingHttpHeaders): string | undefined {
  const legacy = headers["x-openstack-nova-api-version"];
  if (typeof legacy === "string") return legacy.trim();
  const modern = headers["openstack-api-version"];
  if (typeof modern === "string") {
    const m = /compute\s+([0-9.]+|latest)/.exec(modern);
    if (m) return m[1];
  }
  return undefined;
}

/** True when microversion `have` is at least `want` ("2.64" >= "2.26"). */
export function atLeast(have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  if (have === "latest") return true;
  const [hMaj, hMin] = have.split(".").map(Number);
  const [wMaj, wMin] = want.split(".").map(Number);
  return hMaj > wMaj || (hMaj === wMaj && hMin >= wMin);
}
