// The comparable shape of one Pulumi member (resource, function, provider, config, nested type),
// read either from the npm SDK or from a generated schema.json.

/** The primitive a property (or each list item) holds; "other" for objects and maps. */
export type Primitive = "string" | "number" | "boolean" | "other";

export interface PropertyShape {
  array: boolean;
  primitive: Primitive;
  required: boolean; // inputs: must be given; outputs: not compared
  secret: boolean;
}

export type MemberKind = "resource" | "function" | "provider" | "config" | "type";

export interface MemberSurface {
  token: string;
  kind: MemberKind;
  inputs: Map<string, PropertyShape>;
  outputs: Map<string, PropertyShape>;
}

export interface PackageSurface {
  members: Map<string, MemberSurface>; // keyed by kind + " " + token
}

export function memberKey(kind: MemberKind, token: string): string {
  // The SDK names a function's nested type "GetNetworkSegment", its schema token says "getNetworkSegment".
  return `${kind} ${kind === "type" ? token.toLowerCase() : token}`;
}
