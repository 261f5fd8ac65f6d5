/**
 * A provider-neutral description of one resource or function signature, so that what the
 * npm SDK expects and what the provider's schema says can be compared field by field.
 */
export type Kind =
  | "string"
  | "number"
  | "boolean"
  | "any"
  | "asset"
  | "archive"
  | "assetOrArchive"
  | `array<${string}>`
  | `map<${string}>`
  | `ref:${string}`;

export interface Field {
  kind: Kind;
  optional: boolean;
}

export interface Shape {
  inputs: Record<string, Field>;
  outputs: Record<string, Field>;
  /** Inputs the SDK (or schema) marks secret. */
  secretInputs: string[];
  /** Top-level inputs whose change forces a replacement. */
  replaceOnChanges: string[];
}

/** An object type such as command:remote:Connection: fields and their defaults. */
export interface ObjectShape {
  fields: Record<string, Field>;
  defaults: Record<string, unknown>;
  secretFields: string[];
}

export interface PackageShape {
  resources: Record<string, Shape>;
  functions: Record<string, Shape>;
  types: Record<string, ObjectShape>;
  enums: Record<string, string[]>;
}
