// Reads the API surface of the installed @pulumi/openstack npm SDK: tokens, property names,
// list-ness, required inputs and secret outputs, for comparison with a generated schema.
import * as fs from "fs";
import * as path from "path";
import { blockBody, blockMembers, DtsMember, isArrayType, primitiveOf } from "./dts-blocks";
import { MemberKind, MemberSurface, PackageSurface, PropertyShape, memberKey } from "./surface";

export function sdkRoot(): string {
  return path.dirname(require.resolve("@pulumi/openstack/package.json"));
}

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : jsFiles(full);
    return entry.name.endsWith(".js") ? [full] : [];
  });
}

export interface SdkTokens {
  resources: string[];
  functions: string[];
}

interface TokenSite {
  token: string;
  jsFile: string;
}

function tokenSites(root: string): { resources: TokenSite[]; functions: TokenSite[] } {
  const resources: TokenSite[] = [];
  const functions: TokenSite[] = [];
  for (const jsFile of jsFiles(root)) {
    const text = fs.readFileSync(jsFile, "utf8");
    for (const m of text.matchAll(/__pulumiType = ["']([^"']+)["']/g)) {
      if (m[1].includes(":")) resources.push({ token: m[1], jsFile }); // "openstack" is the provider
    }
    for (const m of text.matchAll(/\.invoke(?:Output)?\(\s*["']([^"']+)["']/g)) {
      if (!functions.some((site) => site.token === m[1])) functions.push({ token: m[1], jsFile });
    }
  }
  const byToken = (a: TokenSite, b: TokenSite) => a.token.localeCompare(b.token);
  return { resources: resources.sort(byToken), functions: functions.sort(byToken) };
}

export function listSdkTokens(root = sdkRoot()): SdkTokens {
  const sites = tokenSites(root);
  return { resources: sites.resources.map((s) => s.token), functions: sites.functions.map((s) => s.token) };
}

function shapes(members: DtsMember[], secrets: Set<string>): Map<string, PropertyShape> {
  return new Map(
    members.map((m) => [
      m.name,
      {
        array: isArrayType(m.type),
        primitive: primitiveOf(m.type),
        required: !m.optional,
        secret: secrets.has(m.name),
      },
    ]),
  );
}

function readLines(file: string): string[] {
  return fs.readFileSync(file, "utf8").split("\n");
}

function resourceSurface(site: TokenSite): MemberSurface {
  const className = site.token.split(":")[2];
  const lines = readLines(site.jsFile.replace(/\.js$/, ".d.ts"));
  const js = fs.readFileSync(site.jsFile, "utf8");
  const secretList = /additionalSecretOutputs: \[([^\]]*)\]/.exec(js)?.[1] ?? "";
  const secrets = new Set([...secretList.matchAll(/"(\w+)"/g)].map((m) => m[1]));
  const classBody = blockBody(
    lines,
    new RegExp(`^export declare class ${className} extends pulumi\\.CustomResource \\{`),
  );
  const argsBody = blockBody(lines, new RegExp(`^export interface ${className}Args \\{`)) ?? [];
  return {
    token: site.token,
    kind: "resource",
    inputs: shapes(blockMembers(argsBody), secrets),
    outputs: shapes(blockMembers(classBody ?? []), secrets),
  };
}

function functionSurface(site: TokenSite): MemberSurface {
  const fn = site.token.split(":")[2];
  const typeName = fn.charAt(0).toUpperCase() + fn.slice(1);
  const lines = readLines(site.jsFile.replace(/\.js$/, ".d.ts"));
  const argsBody = blockBody(lines, new RegExp(`^export interface ${typeName}Args \\{`)) ?? [];
  const resultBody = blockBody(lines, new RegExp(`^export interface ${typeName}Result \\{`)) ?? [];
  const none = new Set<string>();
  return {
    token: site.token,
    kind: "function",
    inputs: shapes(blockMembers(argsBody), none),
    outputs: shapes(blockMembers(resultBody), none),
  };
}

function providerSurface(root: string): MemberSurface {
  const lines = readLines(path.join(root, "provider.d.ts"));
  const js = fs.readFileSync(path.join(root, "provider.js"), "utf8");
  const secrets = new Set(
    [...js.matchAll(/resourceInputs\["(\w+)"\] = [^;]*pulumi\.secret\(/g)].map((m) => m[1]),
  );
  const argsBody = blockBody(lines, /^export interface ProviderArgs \{/) ?? [];
  return {
    token: "openstack",
    kind: "provider",
    inputs: shapes(blockMembers(argsBody), secrets),
    outputs: new Map(),
  };
}

function configSurface(root: string): MemberSurface {
  const text = fs.readFileSync(path.join(root, "config", "vars.d.ts"), "utf8");
  const inputs = new Map<string, PropertyShape>();
  for (const m of text.matchAll(/^export declare const (\w+): ([^;\n]*)/gm)) {
    inputs.set(m[1], {
      array: isArrayType(m[2]),
      primitive: primitiveOf(m[2]),
      required: false,
      secret: false,
    });
  }
  return { token: "openstack", kind: "config", inputs, outputs: new Map() };
}

/** Nested object types, from types/input.d.ts (inputs) and types/output.d.ts (outputs). */
function typeSurfaces(root: string): MemberSurface[] {
  const found = new Map<string, MemberSurface>();
  for (const side of ["input", "output"] as const) {
    const lines = readLines(path.join(root, "types", `${side}.d.ts`));
    let namespace = "";
    lines.forEach((line, i) => {
      const ns = /^export declare namespace (\w+) \{/.exec(line);
      if (ns) namespace = ns[1];
      const iface = /^ {4}interface (\w+) \{/.exec(line);
      if (!iface) return;
      // input.d.ts adds "Args" to the input form of a function's nested type: GetInstanceV2NetworkArgs.
      const name = side === "input" && /^Get\w+Args$/.test(iface[1]) ? iface[1].slice(0, -4) : iface[1];
      const token = `openstack:${namespace}/${name}:${name}`;
      const members = blockMembers(blockBody(lines.slice(i), /interface/) ?? []);
      const surface = found.get(token) ?? {
        token,
        kind: "type" as MemberKind,
        inputs: new Map(),
        outputs: new Map(),
      };
      const propertyShapes = shapes(members, new Set());
      if (side === "input") surface.inputs = propertyShapes;
      else surface.outputs = propertyShapes;
      found.set(token, surface);
    });
  }
  return [...found.values()];
}

export function readSdkSurface(root = sdkRoot()): PackageSurface {
  const sites = tokenSites(root);
  const all = [
    ...sites.resources.map(resourceSurface),
    ...sites.functions.map(functionSurface),
    providerSurface(root),
    configSurface(root),
    ...typeSurfaces(root),
  ];
  return { members: new Map(all.map((m) => [memberKey(m.kind, m.token), m])) };
}
