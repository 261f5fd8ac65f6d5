/** Minimal shape of a Swagger 2.0 document, as far as the code generator and contract checks read it. */
export interface SwaggerSchema {
  type?: string;
  $ref?: string;
  enum?: string[];
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema | boolean;
  allOf?: SwaggerSchema[];
  required?: string[];
  description?: string;
  title?: string;
}

export interface SwaggerParameter {
  name: string;
  in: "path" | "query" | "body" | "header" | "formData";
  required?: boolean;
  type?: string;
  enum?: string[];
  schema?: SwaggerSchema;
}

export interface SwaggerOperation {
  operationId?: string;
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: SwaggerSchema; description?: string }>;
}

export interface SwaggerSpec {
  swagger: string;
  basePath: string;
  info: Record<string, unknown>;
  definitions: Record<string, SwaggerSchema>;
  paths: Record<string, Record<string, SwaggerOperation>>;
  [key: string]: unknown;
}

const MOCK_PREFIX = "/{mockUuid}";

/** Drops example blocks (documentation only) and Cloudbreak's mock-only `mockUuid` path prefix/parameter. */
export function trimSpec(spec: SwaggerSpec, sourceSha256: string): SwaggerSpec {
  const trimmed = stripExamples(spec) as SwaggerSpec;
  if (trimmed.basePath.startsWith(MOCK_PREFIX)) {
    trimmed.basePath = trimmed.basePath.slice(MOCK_PREFIX.length);
  }
  for (const operations of Object.values(trimmed.paths)) {
    for (const operation of Object.values(operations)) {
      operation.parameters = (operation.parameters ?? []).filter((p) => p.name !== "mockUuid");
    }
  }
  trimmed["x-derived-from"] = {
    file: "cm-api-v45.swagger.json (hortonworks/cloudbreak mock-infrastructure/cm-swagger-v45.json)",
    sha256: sourceSha256,
    changes: "removed example/examples, removed the mockUuid base-path prefix and parameter",
  };
  return trimmed;
}

function stripExamples(value: unknown, parentKey = ""): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => stripExamples(v));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // A model property may itself be called "example"; only schema/response keywords are dropped.
      if ((key === "example" || key === "examples") && parentKey !== "properties") {
        continue;
      }
      out[key] = stripExamples(child, key);
    }
    return out;
  }
  return value;
}
