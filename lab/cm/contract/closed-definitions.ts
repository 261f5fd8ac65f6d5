import type { SwaggerSchema } from "../../../components/cloudera/codegen/trim-spec";

const REF_PREFIX = "#/definitions/";

/**
 * The Swagger definitions as JSON schemas that reject fields the description does not declare.
 *
 * Swagger 2.0 models are open by default, so a typo like `hostID` would pass unnoticed. CM serialises only
 * declared model fields, so the contract closes every model: `allOf` chains are flattened into one property set
 * (closing each part separately would reject the other part's fields) and `additionalProperties: false` is added
 * wherever the model does not say otherwise.
 */
export function closedDefinitions(definitions: Record<string, SwaggerSchema>): Record<string, SwaggerSchema> {
  const closed: Record<string, SwaggerSchema> = {};
  for (const [name, schema] of Object.entries(definitions)) {
    closed[name] = closeModel(schema, definitions);
  }
  return closed;
}

function closeModel(schema: SwaggerSchema, definitions: Record<string, SwaggerSchema>): SwaggerSchema {
  if (schema.enum || (schema.type && schema.type !== "object")) {
    return schema;
  }
  const properties: Record<string, SwaggerSchema> = {};
  const required: string[] = [];
  collect(schema, definitions, properties, required, new Set());
  if (Object.keys(properties).length === 0) {
    return schema; // no declared fields: a free-form object (maps use additionalProperties)
  }
  const out: SwaggerSchema = { type: "object", properties };
  if (required.length > 0) out.required = required;
  out.additionalProperties = schema.additionalProperties ?? false;
  return out;
}

function collect(
  schema: SwaggerSchema,
  definitions: Record<string, SwaggerSchema>,
  properties: Record<string, SwaggerSchema>,
  required: string[],
  seen: Set<string>,
): void {
  if (schema.$ref) {
    const name = schema.$ref.slice(REF_PREFIX.length);
    if (seen.has(name)) return;
    seen.add(name);
    collect(definitions[name], definitions, properties, required, seen);
    return;
  }
  Object.assign(properties, schema.properties ?? {});
  required.push(...(schema.required ?? []));
  for (const part of schema.allOf ?? []) {
    collect(part, definitions, properties, required, seen);
  }
}
