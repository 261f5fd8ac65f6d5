/**
 * Starts a built pulumi-resource-command, asks it for its schema over the provider gRPC
 * protocol (as the engine does), and turns the schema into a PackageShape.
 */
import { spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { Field, Kind, ObjectShape, PackageShape, Shape } from "./shape";

/** Runs the plugin in attach mode (no engine argument), reads its port, calls GetSchema. */
export async function fetchSchema(binary: string, timeoutMs = 30000): Promise<string> {
  const child = spawn(binary, [], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`no port from ${binary} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const line = /^(\d+)\s*\n/.exec(out);
        if (line) {
          clearTimeout(timer);
          resolve(Number(line[1]));
        }
      });
      child.on("exit", (code) => reject(new Error(`${binary} exited with ${code}: ${stderr}`)));
    });
    const client = new providerGrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      return await new Promise<string>((resolve, reject) => {
        client.getSchema(new providerPb.GetSchemaRequest(), (err, resp) =>
          err ? reject(err) : resolve(resp.getSchema()),
        );
      });
    } finally {
      client.close();
    }
  } finally {
    child.kill();
  }
}

interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  secret?: boolean;
  replaceOnChanges?: boolean;
  default?: unknown;
}

interface ObjectSpec {
  properties?: Record<string, PropertySpec>;
  required?: string[];
}

interface ResourceSpec extends ObjectSpec {
  inputProperties?: Record<string, PropertySpec>;
  requiredInputs?: string[];
}

interface SchemaSpec {
  resources?: Record<string, ResourceSpec>;
  functions?: Record<string, { inputs?: ObjectSpec; outputs?: ObjectSpec }>;
  types?: Record<string, ObjectSpec & { type: string; enum?: { value: string }[] }>;
}

function kindOf(p: PropertySpec): Kind {
  if (p.$ref) {
    switch (p.$ref) {
      case "pulumi.json#/Any":
        return "any";
      case "pulumi.json#/Asset":
        // The schema's Asset ref is generated as `Asset | Archive` in the Node SDK.
        return "assetOrArchive";
      case "pulumi.json#/Archive":
        return "archive";
    }
    return `ref:${p.$ref.replace(/^#\/types\//, "")}`;
  }
  switch (p.type) {
    case "string":
    case "boolean":
      return p.type;
    case "number":
    case "integer":
      return "number";
    case "array":
      return `array<${kindOf(p.items ?? {})}>`;
    case "object":
      return `map<${kindOf(p.additionalProperties ?? {})}>`;
  }
  throw new Error(`unsupported schema property ${JSON.stringify(p)}`);
}

function fields(props: Record<string, PropertySpec> = {}, required: string[] = []): Record<string, Field> {
  return Object.fromEntries(
    Object.entries(props).map(([name, p]) => [name, { kind: kindOf(p), optional: !required.includes(name) }]),
  );
}

function secrets(props: Record<string, PropertySpec> = {}): string[] {
  return Object.keys(props).filter((k) => props[k].secret);
}

/** Shapes of everything the schema declares. */
export function schemaShape(schemaJson: string): PackageShape {
  const spec = JSON.parse(schemaJson) as SchemaSpec;
  const resources: Record<string, Shape> = {};
  for (const [token, r] of Object.entries(spec.resources ?? {})) {
    resources[token] = {
      inputs: fields(r.inputProperties, r.requiredInputs),
      outputs: fields(r.properties, r.required),
      secretInputs: secrets(r.inputProperties),
      replaceOnChanges: Object.keys(r.inputProperties ?? {}).filter(
        (k) => r.inputProperties![k].replaceOnChanges,
      ),
    };
  }
  const functions: Record<string, Shape> = {};
  for (const [token, f] of Object.entries(spec.functions ?? {})) {
    functions[token] = {
      inputs: fields(f.inputs?.properties, f.inputs?.required),
      outputs: fields(f.outputs?.properties, f.outputs?.required),
      secretInputs: secrets(f.inputs?.properties),
      replaceOnChanges: [],
    };
  }
  const types: Record<string, ObjectShape> = {};
  const enums: Record<string, string[]> = {};
  for (const [token, t] of Object.entries(spec.types ?? {})) {
    if (t.enum) {
      enums[token] = t.enum.map((e) => e.value);
      continue;
    }
    const props = t.properties ?? {};
    types[token] = {
      fields: fields(props, t.required),
      defaults: Object.fromEntries(
        Object.entries(props)
          .filter(([, p]) => p.default !== undefined)
          .map(([k, p]) => [k, p.default]),
      ),
      secretFields: secrets(props),
    };
  }
  return { resources, functions, types, enums };
}
