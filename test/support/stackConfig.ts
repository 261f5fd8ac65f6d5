import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { RawClusterConfig } from "../../components/config/validate";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The `ecs:` keys of a committed stack file, as the program would read them. */
export function readStackConfig(stack: string): RawClusterConfig & Record<string, unknown> {
  const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    if (k.startsWith("ecs:")) out[k.slice(4)] = v;
  }
  return out;
}

/** A deep copy that tests can mutate freely. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
