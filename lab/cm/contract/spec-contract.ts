import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";
import type {
  SwaggerOperation,
  SwaggerParameter,
  SwaggerSchema,
  SwaggerSpec,
} from "../../../components/cloudera/codegen/trim-spec";
import { closedDefinitions } from "./closed-definitions";

export const SPEC_PATH = path.resolve(__dirname, "../../../components/cloudera/spec/cm-api-v45.json");

/**
 * The error body every CM error carries. The description declares no model for it; its shape is given in the
 * text of `GET /tools/echoError` ("message" plus "causes", a list that may be null).
 */
const ERROR_BODY_SCHEMA = {
  type: "object",
  required: ["message"],
  properties: {
    message: { type: "string" },
    causes: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }] },
  },
  additionalProperties: false,
};

/** `GET /api/version` sits outside the versioned base path, so the description does not list it. */
const VERSION_PATH = "/api/version";

export interface Exchange {
  method: string;
  /** Path as sent, e.g. `/api/v45/hosts/abc` (no query string). */
  path: string;
  query: Record<string, string>;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

interface MatchedOperation {
  template: string;
  operation: SwaggerOperation;
  pathParams: Record<string, string>;
}

/** Checks HTTP exchanges against the official CM API description with ajv (closed models, see closed-definitions). */
export class SpecContract {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { template: string; regex: RegExp; names: string[] }[];

  constructor(readonly spec: SwaggerSpec = loadSpec()) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: "cm", definitions: closedDefinitions(spec.definitions) });
    this.routes = Object.keys(spec.paths).map((template) => {
      const names: string[] = [];
      const pattern = template
        .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
        .replace(/\{(\w+)\}/g, (_m, name: string) => {
          names.push(name);
          return "([^/]+)";
        });
      return { template, regex: new RegExp(`^${pattern}$`), names };
    });
    // Literal segments win over parameters (`/hosts/removeHostsFromCluster` vs `/hosts/{hostId}`).
    this.routes.sort((a, b) => a.names.length - b.names.length);
  }

  /** Violations of one exchange; empty when request and response both conform. */
  check(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.path}`;
    if (exchange.path === VERSION_PATH) {
      return this.checkVersion(exchange).map((v) => `${where}: ${v}`);
    }
    const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(exchange.path);
    if (!versioned) {
      return [`${where}: path is outside /api/vNN`];
    }
    const match = this.match(exchange.method, versioned[2]);
    if (!match) {
      return [`${where}: no such operation in the API description`];
    }
    const violations = [...this.checkRequest(match, exchange), ...this.checkResponse(match, exchange)];
    return violations.map((v) => `${where} (${match.template}): ${v}`);
  }

  /** Validates a value against a definition, e.g. `validate("ApiHost", body)`. */
  validateModel(model: string, value: unknown): string[] {
    return this.run({ $ref: `cm#/definitions/${model}` }, value, model);
  }

  match(method: string, relativePath: string): MatchedOperation | undefined {
    for (const route of this.routes) {
      const m = route.regex.exec(relativePath);
      const operation = m && this.spec.paths[route.template][method.toLowerCase()];
      if (m && operation) {
        const pathParams: Record<string, string> = {};
        route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(m[i + 1])));
        return { template: route.template, operation, pathParams };
      }
    }
    return undefined;
  }

  private checkVersion(exchange: Exchange): string[] {
    if (exchange.method !== "GET") return ["only GET is defined"];
    if (exchange.status >= 200 && exchange.status < 300) {
      return typeof exchange.responseBody === "string" && /^v\d+$/.test(exchange.responseBody)
        ? []
        : [`version body must be a bare string like "v45", got ${JSON.stringify(exchange.responseBody)}`];
    }
    return this.run(ERROR_BODY_SCHEMA, exchange.responseBody, "error body");
  }

  private checkRequest(match: MatchedOperation, exchange: Exchange): string[] {
    const params = match.operation.parameters ?? [];
    const violations: string[] = [];
    for (const p of params.filter((x) => x.in === "path")) {
      violations.push(...this.checkScalar(p, match.pathParams[p.name], "path"));
    }
    const queryParams = params.filter((x) => x.in === "query");
    for (const [name, value] of Object.entries(exchange.query)) {
      const p = queryParams.find((x) => x.name === name);
      violations.push(...(p ? this.checkScalar(p, value, "query") : [`undeclared query parameter ${name}`]));
    }
    for (const p of queryParams.filter((x) => x.required && !(x.name in exchange.query))) {
      violations.push(`missing required query parameter ${p.name}`);
    }
    const bodyParam = params.find((x) => x.in === "body");
    if (exchange.requestBody !== undefined && !bodyParam) {
      violations.push("request has a body but the operation takes none");
    }
    if (bodyParam?.schema && exchange.requestBody !== undefined) {
      violations.push(...this.run(bodyParam.schema, exchange.requestBody, "request body"));
    } else if (bodyParam?.required && exchange.requestBody === undefined) {
      violations.push("missing required request body");
    }
    return violations;
  }

  private checkScalar(p: SwaggerParameter, value: string | undefined, where: string): string[] {
    if (value === undefined) {
      return p.required ? [`missing ${where} parameter ${p.name}`] : [];
    }
    if (p.enum && !p.enum.includes(value)) {
      return [`${where} parameter ${p.name}=${value} is not one of ${p.enum.join(",")}`];
    }
    if (
      (p.type === "integer" && !/^-?\d+$/.test(value)) ||
      (p.type === "boolean" && !/^(true|false)$/.test(value))
    ) {
      return [`${where} parameter ${p.name}=${value} is not a ${p.type}`];
    }
    return [];
  }

  private checkResponse(match: MatchedOperation, exchange: Exchange): string[] {
    if (exchange.status < 200 || exchange.status >= 300) {
      return this.run(ERROR_BODY_SCHEMA, exchange.responseBody, `error body (${exchange.status})`);
    }
    // The description declares 200/201/204 per method, all with a body; any 2xx carries that body (reference §1).
    const documented = Object.entries(match.operation.responses).find(([code]) => code.startsWith("2"));
    if (!documented) {
      return [`status ${exchange.status} but no success response is documented`];
    }
    const schema = documented[1].schema;
    if (!schema) {
      return exchange.responseBody === undefined ? [] : ["response has a body but none is documented"];
    }
    if (exchange.responseBody === undefined) {
      return [`documented ${documented[0]} body is missing`];
    }
    return this.run(schema, exchange.responseBody, "response body");
  }

  private run(schema: SwaggerSchema | object, value: unknown, what: string): string[] {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema));
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${what}${e.instancePath || ""} ${e.message ?? "invalid"}${e.params ? " " + JSON.stringify(e.params) : ""}`,
    );
  }
}

/** Points `#/definitions/X` refs of an operation-level schema at the registered definitions document. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\//g, '"cm#/definitions/')) as object;
}

export function loadSpec(file = SPEC_PATH): SwaggerSpec {
  return JSON.parse(fs.readFileSync(file, "utf8")) as SwaggerSpec;
}
