// Compares the npm SDK's API surface with a generated schema's and lists every difference that
// would break a program written against the SDK: missing tokens or properties, list vs single
// value, required inputs, secret flags.
import { MemberSurface, PackageSurface, PropertyShape } from "./surface";

export interface Mismatch {
  member: string; // "resource openstack:compute/instance:Instance"
  detail: string;
}

type Side = "input" | "output";

function compareProperties(
  key: string,
  side: Side,
  sdk: Map<string, PropertyShape>,
  generated: Map<string, PropertyShape>,
  checks: { required: boolean; secret: boolean },
): Mismatch[] {
  const found: Mismatch[] = [];
  for (const [name, want] of sdk) {
    const got = generated.get(name);
    if (!got) {
      found.push({ member: key, detail: `${side} "${name}" missing from the schema` });
      continue;
    }
    if (want.array !== got.array) {
      found.push({
        member: key,
        detail: `${side} "${name}": SDK ${want.array ? "list" : "single"}, schema ${got.array ? "list" : "single"}`,
      });
    }
    if (want.primitive !== got.primitive) {
      found.push({
        member: key,
        detail: `${side} "${name}": SDK ${want.primitive}, schema ${got.primitive}`,
      });
    }
    if (checks.required && want.required !== got.required) {
      found.push({
        member: key,
        detail: `${side} "${name}": SDK ${want.required ? "required" : "optional"}, schema not`,
      });
    }
    if (checks.secret && want.secret && !got.secret) {
      found.push({ member: key, detail: `${side} "${name}": secret in the SDK, plain in the schema` });
    }
  }
  for (const name of generated.keys()) {
    if (!sdk.has(name)) found.push({ member: key, detail: `${side} "${name}" not in the SDK` });
  }
  return found;
}

function compareMember(key: string, sdk: MemberSurface, generated: MemberSurface): Mismatch[] {
  switch (sdk.kind) {
    case "resource":
      return [
        ...compareProperties(key, "input", sdk.inputs, generated.inputs, { required: true, secret: false }),
        ...compareProperties(key, "output", sdk.outputs, generated.outputs, {
          required: false,
          secret: true,
        }),
      ];
    case "function":
      return [
        ...compareProperties(key, "input", sdk.inputs, generated.inputs, { required: true, secret: false }),
        ...compareProperties(key, "output", sdk.outputs, generated.outputs, {
          required: false,
          secret: false,
        }),
      ];
    case "provider":
      return compareProperties(key, "input", sdk.inputs, generated.inputs, { required: true, secret: true });
    case "config":
      return compareProperties(key, "input", sdk.inputs, generated.inputs, {
        required: false,
        secret: false,
      });
    case "type": {
      // Nested types: the SDK splits them into input and output interfaces; compare names and list-ness.
      const union = new Map([...sdk.outputs, ...sdk.inputs]);
      return compareProperties(key, "input", union, generated.inputs, { required: false, secret: false });
    }
  }
}

/** Differences for the SDK members whose key passes `include` (all members by default). */
export function compareSurfaces(
  sdk: PackageSurface,
  generated: PackageSurface,
  include: (key: string) => boolean = () => true,
): Mismatch[] {
  const found: Mismatch[] = [];
  for (const [key, sdkMember] of sdk.members) {
    if (!include(key)) continue;
    const generatedMember = generated.members.get(key);
    if (!generatedMember) {
      found.push({ member: key, detail: "missing from the schema" });
      continue;
    }
    found.push(...compareMember(key, sdkMember, generatedMember));
  }
  for (const key of generated.members.keys()) {
    const isTopLevel = key.startsWith("resource ") || key.startsWith("function ");
    if (isTopLevel && include(key) && !sdk.members.has(key)) {
      found.push({ member: key, detail: "in the schema but not in the SDK" });
    }
  }
  return found;
}
