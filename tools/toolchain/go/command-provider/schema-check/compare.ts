/** Field-by-field comparison of what the SDK expects with what the provider's schema says. */
import { Field, ObjectShape, PackageShape, Shape } from "./shape";

function compareFields(where: string, want: Record<string, Field>, got: Record<string, Field>): string[] {
  const out: string[] = [];
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g) {
      out.push(`${where}.${name}: missing (SDK: ${w.kind}${w.optional ? "?" : ""})`);
      continue;
    }
    if (g.kind !== w.kind) out.push(`${where}.${name}: kind ${g.kind}, SDK expects ${w.kind}`);
    if (g.optional !== w.optional) {
      out.push(
        `${where}.${name}: ${g.optional ? "optional" : "required"}, SDK has it ${w.optional ? "optional" : "required"}`,
      );
    }
  }
  for (const name of Object.keys(got)) {
    if (!(name in want)) out.push(`${where}.${name}: not in the SDK`);
  }
  return out;
}

function sameSet(a: string[], b: string[]): boolean {
  return [...a].sort().join(",") === [...b].sort().join(",");
}

function compareShape(where: string, want: Shape, got: Shape): string[] {
  const out = [
    ...compareFields(`${where} input`, want.inputs, got.inputs),
    ...compareFields(`${where} output`, want.outputs, got.outputs),
  ];
  if (!sameSet(want.secretInputs, got.secretInputs)) {
    out.push(`${where}: secret inputs [${got.secretInputs}], SDK marks [${want.secretInputs}]`);
  }
  if (!sameSet(want.replaceOnChanges, got.replaceOnChanges)) {
    out.push(`${where}: replaceOnChanges [${got.replaceOnChanges}], SDK sets [${want.replaceOnChanges}]`);
  }
  return out;
}

function compareObject(where: string, want: ObjectShape, got: ObjectShape): string[] {
  const out = compareFields(where, want.fields, got.fields);
  const keys = new Set([...Object.keys(want.defaults), ...Object.keys(got.defaults)]);
  for (const k of keys) {
    if (want.defaults[k] !== got.defaults[k]) {
      out.push(`${where}.${k}: default ${String(got.defaults[k])}, SDK applies ${String(want.defaults[k])}`);
    }
  }
  return out;
}

/** Every difference, one readable line each. Empty means the provider serves what the SDK expects. */
export function compare(sdk: PackageShape, schema: PackageShape): string[] {
  const out: string[] = [];
  const section = <T>(
    label: string,
    want: Record<string, T>,
    got: Record<string, T>,
    cmp: (where: string, w: T, g: T) => string[],
  ): void => {
    for (const [token, w] of Object.entries(want)) {
      if (!(token in got)) out.push(`${label} ${token}: missing`);
      else out.push(...cmp(token, w, got[token]));
    }
    for (const token of Object.keys(got)) if (!(token in want)) out.push(`${label} ${token}: not in the SDK`);
  };
  section("resource", sdk.resources, schema.resources, compareShape);
  section("function", sdk.functions, schema.functions, compareShape);
  section("type", sdk.types, schema.types, compareObject);
  section("enum", sdk.enums, schema.enums, (where, w, g) =>
    sameSet(w, g) ? [] : [`${where}: values [${g}], SDK has [${w}]`],
  );
  return out;
}
