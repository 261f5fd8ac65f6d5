import * as http from "http";
import * as https from "https";
import { CmFaults, takeCounted } from "../faults";
import { CmState } from "../state/cm-state";
import { CmHttpError } from "../state/http-error";
import { CmViews } from "../state/views";
import { buildRoutes } from "./routes";

/** One request and its answer as the simulator saw them (for contract checks and assertions). */
export interface RecordedExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

export interface ServerOptions {
  state: CmState;
  faults: CmFaults;
  apiVersion: number;
  credentials: { username: string; password: string };
  tls?: { keyPem: string; certPem: string };
  onExchange: (exchange: RecordedExchange) => void;
}

/** The HTTP(S) front of the simulator: Basic auth, fault injection, routing, CM-shaped error bodies. */
export function createCmServer(options: ServerOptions): http.Server {
  const views = new CmViews(options.state);
  const routes = buildRoutes(options.state, views);
  const expectedAuth =
    "Basic " +
    Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString("base64");

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://simulator");
    const method = (req.method ?? "GET").toUpperCase();
    const raw = await readBody(req);
    const exchange: RecordedExchange = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      exchange.status = status;
      exchange.responseBody = body;
      options.onExchange(exchange);
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, {
        "Content-Type": typeof body === "string" ? "text/plain" : "application/json",
        "Content-Length": Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}): void =>
      send(status, { message }, headers);

    const faults = options.faults;
    if (takeCounted(faults.dropConnections)) {
      exchange.status = -1;
      options.onExchange(exchange);
      req.socket.destroy();
      return;
    }
    if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (raw.length > 0) {
      try {
        exchange.requestBody = JSON.parse(raw);
      } catch {
        return fail(400, "Malformed JSON in request body.");
      }
    }
    if (req.headers.authorization !== expectedAuth) {
      return fail(401, "Authentication failed.", { "WWW-Authenticate": 'Basic realm="Cloudera Manager"' });
    }
    if (takeCounted(faults.rateLimit)) {
      return fail(429, "Too many requests.", {
        "Retry-After": String(faults.rateLimit?.retryAfterSeconds ?? 0),
      });
    }
    const burst = faults.serverErrors;
    if (burst && (!burst.pathContains || url.pathname.includes(burst.pathContains)) && takeCounted(burst)) {
      const status = burst.status ?? 503;
      return fail(status, status === 503 ? "Service temporarily unavailable." : "Internal server error.");
    }
    if (url.pathname === "/api/version" && method === "GET") {
      return send(200, `v${options.apiVersion}`);
    }
    const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(url.pathname);
    if (!versioned || Number(versioned[1]) > options.apiVersion || Number(versioned[1]) < 1) {
      return fail(404, `Resource '${url.pathname}' not found.`);
    }
    const path = versioned[2];
    const route = routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) {
      return fail(
        routes.some((r) => r.pattern.test(path)) ? 405 : 404,
        `No ${method} handler for '${path}'.`,
      );
    }
    try {
      const params = (route.pattern.exec(path) ?? []).slice(1).map(decodeURIComponent);
      const body = route.handler(
        { method, path, query: url.searchParams, body: exchange.requestBody },
        params,
      );
      return send(200, body);
    } catch (err) {
      if (err instanceof CmHttpError) {
        return send(
          err.status,
          err.causes ? { message: err.message, causes: err.causes } : { message: err.message },
        );
      }
      return fail(500, `Internal error: ${(err as Error).message}`);
    }
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ message: `Internal error: ${err.message}` }));
    });
  };
  return options.tls
    ? https.createServer({ key: options.tls.keyPem, cert: options.tls.certPem }, listener)
    : http.createServer(listener);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
