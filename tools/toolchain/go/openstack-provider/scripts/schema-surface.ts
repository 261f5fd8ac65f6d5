// Reads the same API surface as sdk-surface.ts from a Pulumi package schema (schema.json).
import { MemberKind, MemberSurface, PackageSurface, Primitive, PropertyShape, memberKey } from "./surface";

interface SchemaProperty {
  type?: string;
  items?: SchemaProperty;
  secret?: boolean;
}

function primitive(p: SchemaProperty): Primitive {
  const type = p.type === "array" ? p.items?.type : p.type;
  if (type === "integer" || type === "number") return "number";
  return type === "string" || type === "boolean" ? type : "other";
}

interface SchemaObject {
  properties?: Record<string, SchemaProperty>;
  required?: string[];
}

interface SchemaResource {
  inputProperties?: Record<string, SchemaProperty>;
  requiredInputs?: string[];
  properties?: Record<string, SchemaProperty>;
}

export interface PackageSchema {
  name: string;
  version?: string;
  config?: { variables?: Record<string, SchemaProperty> };
  provider?: SchemaResource;
  resources?: Record<string, SchemaResource>;
  functions?: Record<string, { inputs?: SchemaObject; outputs?: SchemaObject }>;
  types?: Record<string, SchemaObject>;
}

function shapes(
  properties: Record<string, SchemaProperty> = {},
  required: string[] = [],
): Map<string, PropertyShape> {
  return new Map(
    Object.entries(properties).map(([name, p]) => [
      name,
      {
        array: p.type === "array",
        primitive: primitive(p),
        required: required.includes(name),
        secret: p.secret === true,
      },
    ]),
  );
}

function member(kind: MemberKind, token: string, inputs: Map<string, PropertyShape>, outputs = new Map()) {
  return { token, kind, inputs, outputs } as MemberSurface;
}

export function readSchemaSurface(schema: PackageSchema): PackageSurface {
  const all: MemberSurface[] = [
    member(
      "provider",
      schema.name,
      shapes(schema.provider?.inputProperties, schema.provider?.requiredInputs),
    ),
    member("config", schema.name, shapes(schema.config?.variables)),
  ];
  for (const [token, r] of Object.entries(schema.resources ?? {})) {
    all.push(member("resource", token, shapes(r.inputProperties, r.requiredInputs), shapes(r.properties)));
  }
  for (const [token, f] of Object.entries(schema.functions ?? {})) {
    const inputs = shapes(f.inputs?.properties, f.inputs?.required);
    all.push(member("function", token, inputs, shapes(f.outputs?.properties, f.outputs?.required)));
  }
  for (const [token, t] of Object.entries(schema.types ?? {})) {
    const properties = shapes(t.properties, t.required);
    all.push(member("type", token, properties, properties));
  }
  return { members: new Map(all.map((m) => [memberKey(m.kind, m.token), m])) };
}
