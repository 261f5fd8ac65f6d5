/**
 * Reads what @pulumi/command (the npm SDK in node_modules) expects from the provider:
 * property names, optionality and kinds from its .d.ts files (TypeScript compiler API),
 * type tokens, secrets, replaceOnChanges and defaults from its generated .js.
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { Field, Kind, ObjectShape, PackageShape, Shape } from "./shape";

const sdkDir = path.dirname(require.resolve("@pulumi/command/package.json"));

function parse(rel: string): ts.SourceFile {
  const file = path.join(sdkDir, rel);
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

function js(rel: string): string {
  return fs.readFileSync(path.join(sdkDir, rel), "utf8");
}

/** Maps a TS type from the SDK to a Kind, unwrapping pulumi.Input/Output wrappers. */
function kindOf(node: ts.TypeNode): { kind: Kind; undefinedAllowed: boolean } {
  if (ts.isUnionTypeNode(node)) {
    const parts = node.types.filter((t) => t.getText() !== "undefined");
    const undefinedAllowed = parts.length !== node.types.length;
    const texts = parts.map((t) => t.getText()).sort();
    if (texts.join("|") === "pulumi.asset.Archive|pulumi.asset.Asset") {
      return { kind: "assetOrArchive", undefinedAllowed };
    }
    if (parts.length === 1) {
      return { kind: kindOf(parts[0]).kind, undefinedAllowed };
    }
    throw new Error(`unsupported union ${node.getText()}`);
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if ((name === "pulumi.Input" || name === "pulumi.Output") && node.typeArguments?.length === 1) {
      return kindOf(node.typeArguments[0]);
    }
    if (name === "pulumi.asset.Asset") return { kind: "asset", undefinedAllowed: false };
    if (name === "pulumi.asset.Archive") return { kind: "archive", undefinedAllowed: false };
    // enums.local.Logging, inputs.remote.ConnectionArgs, outputs.remote.Connection
    const parts = name.split(".");
    const module = parts[parts.length - 2];
    const typeName = parts[parts.length - 1].replace(/Args$/, "");
    return { kind: `ref:command:${module}:${typeName}`, undefinedAllowed: false };
  }
  if (ts.isArrayTypeNode(node)) {
    return { kind: `array<${kindOf(node.elementType).kind}>`, undefinedAllowed: false };
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index?.type) return { kind: `map<${kindOf(index.type).kind}>`, undefinedAllowed: false };
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: "string", undefinedAllowed: false };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: "number", undefinedAllowed: false };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: "boolean", undefinedAllowed: false };
    case ts.SyntaxKind.AnyKeyword:
      return { kind: "any", undefinedAllowed: false };
  }
  throw new Error(`unsupported type ${node.getText()}`);
}

type Member = ts.PropertySignature | ts.PropertyDeclaration;

function fields(members: readonly ts.Node[], optionalIfUndefined: boolean): Record<string, Field> {
  const out: Record<string, Field> = {};
  for (const m of members) {
    if (!(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) || !m.type) continue;
    const member = m as Member;
    const { kind, undefinedAllowed } = kindOf(member.type!);
    out[member.name.getText()] = {
      kind,
      optional: member.questionToken !== undefined || (optionalIfUndefined && undefinedAllowed),
    };
  }
  return out;
}

function findInterface(file: ts.SourceFile, name: string): ts.InterfaceDeclaration {
  let found: ts.InterfaceDeclaration | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === name) found = n;
    ts.forEachChild(n, visit);
  };
  visit(file);
  if (!found) throw new Error(`interface ${name} not found in ${file.fileName}`);
  return found;
}

function findClass(file: ts.SourceFile, name: string): ts.ClassDeclaration {
  const found = file.statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name,
  );
  if (!found) throw new Error(`class ${name} not found in ${file.fileName}`);
  return found;
}

function resourceShape(dts: string, jsFile: string, className: string): [string, Shape] {
  const file = parse(dts);
  const code = js(jsFile);
  const token = /__pulumiType = '([^']+)'/.exec(code)?.[1];
  if (!token) throw new Error(`no type token in ${jsFile}`);
  const outputs = fields(findClass(file, className).members, true);
  const inputs = fields(findInterface(file, `${className}Args`).members, false);
  const secretInputs = [...code.matchAll(/resourceInputs\["(\w+)"\] = args\?\.\w+ \? pulumi\.secret\(/g)].map(
    (m) => m[1],
  );
  // e.g. `replaceOnChanges: ["triggers[*]"]` -> ["triggers"]
  const listed = /replaceOnChanges: \[((?:"[^"]*",?\s*)*)\]/.exec(code)?.[1] ?? "";
  const replaceOnChanges = [...listed.matchAll(/"(\w+)[^"]*"/g)].map((m) => m[1]);
  return [token, { inputs, outputs, secretInputs, replaceOnChanges }];
}

function functionShape(): [string, Shape] {
  const file = parse("local/run.d.ts");
  const token = /invoke\("([^"]+)"/.exec(js("local/run.js"))?.[1];
  if (!token) throw new Error("no token for local.run");
  return [
    token,
    {
      inputs: fields(findInterface(file, "RunArgs").members, false),
      outputs: fields(findInterface(file, "RunResult").members, false),
      secretInputs: [],
      replaceOnChanges: [],
    },
  ];
}

/** The runtime parts of the SDK read here (defaults and enum values). */
interface CommandSdk {
  types: {
    input: {
      remote: {
        connectionArgsProvideDefaults(v: { host: string }): Record<string, unknown>;
        proxyConnectionArgsProvideDefaults(v: { host: string }): Record<string, unknown>;
      };
    };
    enums: { local: { Logging: Record<string, string> }; remote: { Logging: Record<string, string> } };
  };
}

function objectShape(iface: string, defaults: Record<string, unknown>): ObjectShape {
  const f = fields(findInterface(parse("types/input.d.ts"), iface).members, false);
  const given = { ...defaults };
  delete given.host;
  for (const k of Object.keys(given)) if (given[k] === undefined) delete given[k];
  return { fields: f, defaults: given, secretFields: [] };
}

/** Everything the SDK expects. Secret fields of object types are not visible in the SDK. */
export function sdkShape(): PackageShape {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@pulumi/command") as CommandSdk;
  const remote = sdk.types.input.remote;
  const resources = Object.fromEntries([
    resourceShape("local/command.d.ts", "local/command.js", "Command"),
    resourceShape("remote/command.d.ts", "remote/command.js", "Command"),
    resourceShape("remote/copyToRemote.d.ts", "remote/copyToRemote.js", "CopyToRemote"),
    resourceShape("remote/copyFile.d.ts", "remote/copyFile.js", "CopyFile"),
  ]);
  return {
    resources,
    functions: Object.fromEntries([functionShape()]),
    types: {
      "command:remote:Connection": objectShape(
        "ConnectionArgs",
        remote.connectionArgsProvideDefaults({ host: "h" }),
      ),
      "command:remote:ProxyConnection": objectShape(
        "ProxyConnectionArgs",
        remote.proxyConnectionArgsProvideDefaults({ host: "h" }),
      ),
    },
    enums: {
      "command:local:Logging": Object.values(sdk.types.enums.local.Logging),
      "command:remote:Logging": Object.values(sdk.types.enums.remote.Logging),
    },
  };
}
