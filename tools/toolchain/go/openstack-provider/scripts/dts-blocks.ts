// Minimal readers for the generated .d.ts files of @pulumi/openstack. They rely on the fixed layout
// tfgen emits (4-space members, closing brace at the block's own indent), not on a TS parser.

export interface DtsMember {
  name: string;
  optional: boolean;
  type: string; // type text with line breaks folded, e.g. "pulumi.Output<string[] | undefined>"
}

/** Returns the body lines of the block whose opening line matches `header`, or undefined. */
export function blockBody(lines: string[], header: RegExp): string[] | undefined {
  const start = lines.findIndex((line) => header.test(line));
  if (start < 0) return undefined;
  const indent = /^\s*/.exec(lines[start])![0];
  const end = lines.findIndex((line, i) => i > start && line === `${indent}}`);
  return lines.slice(start + 1, end < 0 ? lines.length : end);
}

/** Lists the property members of a block body (skips doc comments, statics, methods). */
export function blockMembers(body: string[]): DtsMember[] {
  const withoutDocs = body.filter((line) => !/^\s*(\/\*\*|\*)/.test(line));
  const memberIndent = Math.min(...withoutDocs.map((line) => /^\s*/.exec(line)![0].length));
  const memberStart = new RegExp(`^ {${memberIndent}}(?:readonly )?(\\w+)(\\?)?!?: (.*)$`);
  const members: DtsMember[] = [];
  let current: DtsMember | undefined; // the member whose type spans the following lines
  for (const line of withoutDocs) {
    const start = memberStart.exec(line);
    const continues = line.startsWith(" ".repeat(memberIndent + 1)) || line.trim().startsWith("}");
    if (start) {
      current = { name: start[1], optional: start[2] === "?", type: start[3] };
      members.push(current);
    } else if (current && continues) {
      current.type += " " + line.trim();
    } else {
      current = undefined; // constructor, static method: not a property
    }
  }
  return members;
}

/** Strips "pulumi.Output<...>", "pulumi.Input<...>", "| undefined" and the trailing ";". */
function unwrap(type: string): string {
  let inner = type.replace(/;$/, "").trim();
  for (;;) {
    const wrapper = /^pulumi\.(?:Output|Input)<(.*)>$/.exec(inner);
    const next = (wrapper ? wrapper[1] : inner).replace(/\s*\|\s*undefined$/, "").trim();
    if (next === inner) return inner;
    inner = next;
  }
}

/** True when the type is a list: "string[] | undefined", "pulumi.Input<pulumi.Input<X>[]>". */
export function isArrayType(type: string): boolean {
  return unwrap(type).endsWith("[]");
}

/** The primitive held by the type or by each of its list items. */
export function primitiveOf(type: string): "string" | "number" | "boolean" | "other" {
  const item = unwrap(unwrap(type).replace(/\[\]$/, ""));
  return item === "string" || item === "number" || item === "boolean" ? item : "other";
}
