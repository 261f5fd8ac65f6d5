/**
 * Compares two `pulumi preview --json` digests by their planned operations (op + URN, `same`
 * steps ignored). Exit 0 when equal, 1 with the differences otherwise.
 */
import * as fs from "fs";
import { PreviewDigest } from "../preview-gate/analyze";

export function planSignature(d: PreviewDigest): string[] {
  return (d.steps ?? [])
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.urn}`)
    .sort();
}

export function planDifferences(reviewed: PreviewDigest, now: PreviewDigest): string[] {
  const a = planSignature(reviewed);
  const b = planSignature(now);
  return [
    ...a.filter((x) => !b.includes(x)).map((x) => `reviewed only: ${x}`),
    ...b.filter((x) => !a.includes(x)).map((x) => `now only: ${x}`),
  ];
}

if (require.main === module) {
  const [reviewedFile, nowFile] = process.argv.slice(2);
  const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8")) as PreviewDigest;
  const diff = planDifferences(read(reviewedFile), read(nowFile));
  if (diff.length) {
    console.error(
      `the plan changed since it was reviewed; not applying:\n  ${diff.join("\n  ")}\nFix: re-run the pull-request preview and review again.`,
    );
    process.exitCode = 1;
  } else {
    console.log("plan unchanged since review");
  }
}
