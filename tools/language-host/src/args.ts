// Command line of the host. The CLI (sdk/go/common/resource/plugin) launches language plugins as
//   pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing <url>] <engine-address>
// and may add flags in later versions, so unknown flags are accepted and ignored.

export interface HostArgs {
  engineAddress?: string;
  tracing?: string;
  runtime: string;
  showVersion: boolean;
}

// Flags of the Go host that take a value; every other flag is treated as a boolean.
const VALUE_FLAGS = new Set(["tracing", "runtime"]);

export function parseHostArgs(argv: readonly string[]): HostArgs {
  const result: HostArgs = { runtime: "nodejs", showVersion: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (value === undefined && VALUE_FLAGS.has(name) && i + 1 < argv.length) {
      value = argv[++i];
    }
    if (name === "tracing") {
      result.tracing = value;
    } else if (name === "runtime" && value !== undefined) {
      result.runtime = value;
    } else if (name === "version") {
      result.showVersion = true;
    }
  }
  result.engineAddress = positional[0];
  return result;
}
