// Runtime options from Pulumi.yaml (`runtime.options`), with the Go host's defaults and errors.

export type PackageManager = "auto" | "npm" | "yarn" | "pnpm" | "bun";

export interface NodeOptions {
  /** Run TypeScript through ts-node (PULUMI_NODEJS_TYPESCRIPT); defaults to true. */
  typescript: boolean;
  tsconfigPath?: string;
  /** Extra arguments for the node process, split like a shell would. */
  nodeargs: string[];
  packageManager: PackageManager;
}

const PACKAGE_MANAGERS: readonly PackageManager[] = ["auto", "npm", "yarn", "pnpm", "bun"];

export function parseNodeOptions(raw: Record<string, unknown> | undefined): NodeOptions {
  const options = raw ?? {};
  const result: NodeOptions = { typescript: true, nodeargs: [], packageManager: "auto" };
  if ("typescript" in options) {
    if (typeof options.typescript !== "boolean") throw new Error("typescript option must be a boolean");
    result.typescript = options.typescript;
  }
  if ("tsconfig" in options) {
    if (typeof options.tsconfig !== "string") throw new Error("tsconfigpath option must be a string");
    result.tsconfigPath = options.tsconfig;
  }
  if ("nodeargs" in options) {
    if (typeof options.nodeargs !== "string") throw new Error("nodeargs option must be a string");
    result.nodeargs = splitShellWords(options.nodeargs);
  }
  if ("packagemanager" in options) {
    const pm = options.packagemanager;
    if (typeof pm !== "string") throw new Error("packagemanager option must be a string");
    if (!(PACKAGE_MANAGERS as readonly string[]).includes(pm)) {
      throw new Error(`packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "${pm}"`);
    }
    result.packageManager = pm as PackageManager;
  }
  return result;
}

/** Environment entries that tell @pulumi/pulumi's runner how to load TypeScript. */
export function typescriptEnv(options: NodeOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (options.tsconfigPath) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfigPath;
  return env;
}

/** Splits a string into words with POSIX-like quoting ('single', "double", backslash escapes). */
export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < input.length) current += input[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < input.length) {
      current += input[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`nodeargs: unterminated ${quote} quote`);
  if (inWord) words.push(current);
  return words;
}
