import axios, { AxiosError, AxiosInstance, Method } from "axios";
import * as https from "https";
import { cmApiError, hintForStatus } from "./errors";
import { CmLogger } from "./logger";
import { backoffDelayMs, DEFAULT_RETRY, isRetryable, RetryOptions } from "./retry-policy";

export interface CmConnectionOptions {
  /** e.g. https://cm.example.com:7183 (no /api suffix). */
  baseUrl: string;
  username: string;
  /** Arrives from a Pulumi secret; only ever placed in the Authorization header. */
  password: string;
  /** PEM CA bundle that signed CM's certificate; the system store is used when absent. */
  caBundle?: string;
  /** Turns certificate verification off. Off only on explicit request. */
  insecureSkipTlsVerify?: boolean;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  logger?: CmLogger;
}

export interface RequestSpec {
  method: Method;
  /** Absolute path, e.g. /api/v45/hosts. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  idempotent?: boolean;
  retryOn400?: boolean;
  /** The answer is a bare string (GET /api/version). */
  text?: boolean;
}

interface ErrorBody {
  message?: unknown;
  causes?: unknown;
}

/** HTTP to CM: auth, TLS, timeouts and retries; failures become CmApiError with CM's message. */
export class CmTransport {
  private readonly http: AxiosInstance;
  private readonly retry: RetryOptions;

  constructor(
    private readonly options: CmConnectionOptions,
    private readonly logger: CmLogger,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      timeout: options.timeoutMs ?? 30_000,
      auth: { username: options.username, password: options.password },
      headers: { Accept: "application/json" },
      // CM is reached directly; an ambient HTTP(S)_PROXY must not receive the credentials.
      proxy: false,
      httpsAgent: new https.Agent({
        ca: options.caBundle,
        rejectUnauthorized: options.insecureSkipTlsVerify !== true,
        keepAlive: true,
      }),
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      responseType: "text",
    });
  }

  async request<T>(spec: RequestSpec): Promise<T> {
    const idempotent = spec.idempotent ?? (spec.method === "GET" || spec.method === "DELETE");
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let code: string | undefined;
      let cmMessage: string;
      let causes: string[] = [];
      let retryAfter: number | undefined;
      try {
        const res = await this.http.request<string>({
          method: spec.method,
          url: spec.path,
          params: spec.query,
          data: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          headers: spec.body === undefined ? {} : { "Content-Type": "application/json" },
        });
        if (res.status >= 200 && res.status < 300) {
          return parse<T>(res.data, spec.text === true);
        }
        status = res.status;
        const body = tryJson(res.data) as ErrorBody | undefined;
        cmMessage =
          typeof body?.message === "string" ? body.message : truncate(res.data) || `HTTP ${res.status}`;
        causes = Array.isArray(body?.causes) ? body.causes.map(String) : [];
        retryAfter = Number(res.headers["retry-after"]) || undefined;
      } catch (err) {
        const e = err as AxiosError;
        code = e.code;
        // Only the code and message: the axios error's config holds the credentials.
        cmMessage = `${e.code ?? "network error"}: ${e.message}`;
      }
      const retryable = isRetryable({ status, code, idempotent, retryOn400: spec.retryOn400 === true });
      if (!retryable || attempt >= this.retry.maxAttempts) {
        throw cmApiError(spec.method, spec.path, status, cmMessage, causes, this.hint(status, code), attempt);
      }
      const delay = backoffDelayMs(attempt, this.retry, retryAfter);
      this.logger.warn(
        `CM ${spec.method} ${spec.path}: ${status !== undefined ? `HTTP ${status} ${cmMessage}` : cmMessage}; ` +
          `retry ${attempt}/${this.retry.maxAttempts - 1} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }

  private hint(status: number | undefined, code: string | undefined): string {
    if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return `CM's TLS certificate is not trusted: set the CA bundle (caBundle) to the CA that signed it; do not turn verification off in production.`;
    }
    return hintForStatus(status, this.options.baseUrl);
  }
}

function parse<T>(data: string, text: boolean): T {
  if (text) return data.trim() as T;
  if (data === "" || data === undefined) return undefined as T;
  return JSON.parse(data) as T;
}

function tryJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return typeof text === "string" ? text.slice(0, 300) : "";
}

/**
 * Delay before poll number `attempt` (0-based) of a wait: starts at 200 ms and grows by half each
 * time up to `maxMs`, so quick CM transitions are seen quickly and long ones are not hammered.
 */
export function pollDelay(attempt: number, maxMs: number): number {
  return Math.min(maxMs, Math.round(200 * 1.5 ** attempt));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
