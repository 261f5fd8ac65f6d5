/** When and how long to wait before retrying a CM request. */
export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts: number;
  /** First backoff step (default 500 ms); doubles per attempt. */
  baseDelayMs: number;
  /** Cap for one backoff step (default 10 s). */
  maxDelayMs: number;
  /** Source of randomness for jitter (tests may pin it). */
  random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  random: Math.random,
};

/** Network failures where the request may never have been processed. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);
/** Failures that happen before any byte reaches CM, so even a non-idempotent request can be resent. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH"]);

export interface FailureFacts {
  status?: number;
  code?: string;
  /** The call is safe to repeat (GET, DELETE, and POSTs whose effect is idempotent). */
  idempotent: boolean;
  /** The call has a documented transient 400 (adding a host that is not ready yet, ANS does the same). */
  retryOn400: boolean;
}

/**
 * Retry 5xx, 429 and connection errors; never other 4xx except the documented transient 400.
 * A non-idempotent request is retried after a connection error only if it cannot have reached CM.
 */
export function isRetryable(f: FailureFacts): boolean {
  if (f.status !== undefined) {
    return f.status >= 500 || f.status === 429 || (f.status === 400 && f.retryOn400);
  }
  if (!f.code || !CONNECTION_CODES.has(f.code)) return false;
  return f.idempotent || NOT_SENT_CODES.has(f.code);
}

/** The longest a server's Retry-After may hold a call: a bad or hostile header must not stall an update. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Exponential backoff with full jitter; a server's Retry-After (seconds) is a floor, capped. */
export function backoffDelayMs(attempt: number, options: RetryOptions, retryAfterSeconds?: number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(options.random() * ceiling);
  const asked = Math.min(Math.max(0, retryAfterSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, asked);
}
