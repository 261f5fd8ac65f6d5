// Typed access to untrusted JSON request bodies; a wrong type becomes a 400 for the caller.
import { ApiError } from "./http";

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function record(v: unknown, what: string): JsonRecord {
  if (!isRecord(v)) throw ApiError.badRequest(`${what} must be an object`);
  return v;
}

export function optRecord(r: JsonRecord, key: string): JsonRecord | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  return record(v, key);
}

export function optString(r: JsonRecord, key: string): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw ApiError.badRequest(`'${key}' must be a string`);
  return v;
}

export function reqString(r: JsonRecord, key: string): string {
  const v = optString(r, key);
  if (v === undefined) throw ApiError.badRequest(`'${key}' is a required property`);
  return v;
}

export function optNumber(r: JsonRecord, key: string): number | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw ApiError.badRequest(`'${key}' must be a number`);
  return n;
}

export function optBool(r: JsonRecord, key: string): boolean | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "True") return true;
  if (v === "false" || v === "False") return false;
  throw ApiError.badRequest(`'${key}' must be a boolean`);
}

export function optArray(r: JsonRecord, key: string): unknown[] | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw ApiError.badRequest(`'${key}' must be a list`);
  return v;
}

export function optStringArray(r: JsonRecord, key: string): string[] | undefined {
  const a = optArray(r, key);
  if (a === undefined) return undefined;
  return a.map((x) => {
    if (typeof x !== "string") throw ApiError.badRequest(`'${key}' must be a list of strings`);
    return x;
  });
}

/** Metadata values must be strings in Nova and Cinder (the provider type-asserts them). */
export function optStringMap(r: JsonRecord, key: string): Record<string, string> | undefined {
  const m = optRecord(r, key);
  if (m === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") throw ApiError.badRequest(`'${key}.${k}' must be a string`);
    out[k] = v;
  }
  return out;
}
