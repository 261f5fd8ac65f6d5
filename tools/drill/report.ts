/**
 * The drill's verdict and report: each expectation with the expected and the observed figure,
 * the timeline as a table (report.md) and as a picture (timeline.svg: one row per signal, a
 * numbered line per event), and the raw samples (samples.json) for whoever wants to look again.
 */
import * as fs from "fs";
import * as path from "path";
import type { DrillCluster } from "./cluster";
import { longestApiGapSec, Mark, MarkKind, Sample } from "./observe";
import { DrillRequest, RECOVERY } from "./plan";

export interface Expectation {
  what: string;
  expected: string;
  observed: string;
  /** `not reached`: the drill stopped (abort, time) before it could be seen; not a failure of the cluster. */
  result: "pass" | "fail" | "not reached";
}

export interface Outcome {
  request: DrillRequest;
  grace: number;
  samples: Sample[];
  marks: Mark[];
  faultAt?: number;
  recoveryAt?: number;
  recoveryError?: string;
  greenAt?: number;
  /** Stopped early on purpose: what was not seen yet is `not reached`. */
  aborted?: string;
  /** Ran out of time: what was not seen is a failure. */
  timedOut?: string;
  restored?: string;
  /** The node's membership delete during the recovery, from the run record. */
  evacuated?: { evacuation?: string; outcome?: string };
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const first = (marks: Mark[], kind: MarkKind) => marks.find((m) => m.kind === kind);

/** Each expectation of the seed's test, judged from the samples and marks. */
export function evaluate(o: Outcome): Expectation[] {
  const out: Expectation[] = [];
  const others = o.samples.find((s) => s.othersNotReady.length > 0);
  out.push({
    what: "only the drilled node is affected",
    expected: "every other node Ready throughout",
    observed: others
      ? `${others.othersNotReady.join(", ")} not Ready at +${s1(others.t - o.samples[0].t)}`
      : `every other node Ready in all ${o.samples.length} samples`,
    result: others ? "fail" : "pass",
  });
  if (o.faultAt !== undefined) {
    const notReady = first(o.marks, "not-ready");
    const slack = Math.max(10, Math.round(o.grace * 0.25));
    const limit = o.grace + slack;
    out.push({
      what: "the node turns NotReady once it falls silent",
      expected: `within ${limit} s of the fault (node-monitor-grace-period ${o.grace} s + ${slack} s)`,
      observed: notReady ? `after ${s1(notReady.t - o.faultAt)}` : "not seen",
      result: notReady
        ? notReady.t - o.faultAt <= limit * 1000
          ? "pass"
          : "fail"
        : o.aborted
          ? "not reached"
          : "fail",
    });
    const tolerations = o.samples
      .map((s) => s.pods.tolerationSec)
      .filter((t): t is number => t !== undefined);
    if (tolerations.length) {
      const tol = Math.min(...tolerations);
      const tainted = first(o.marks, "tainted");
      const evicted = first(o.marks, "evicted");
      const margin = Math.max(5, tol * 0.1);
      const gap = tainted && evicted ? (evicted.t - tainted.t) / 1000 : undefined;
      out.push({
        what: "pods are evicted (Terminating) after their toleration of the NoExecute taint",
        expected: `${tol} s after the taint (the pods' tolerationSeconds), ±${margin.toFixed(0)} s`,
        observed:
          gap !== undefined
            ? `${gap.toFixed(1)} s after the taint`
            : tainted
              ? "tainted, no eviction seen"
              : "no taint seen",
        result:
          gap !== undefined
            ? Math.abs(gap - tol) <= margin
              ? "pass"
              : "fail"
            : o.aborted
              ? "not reached"
              : "fail",
      });
    }
    if (o.request.fault === "power-off") {
      const alarm = first(o.marks, "cm-alarm");
      out.push({
        what: "Cloudera Manager raises the host's health (agent heartbeat lost)",
        expected: "host health not GOOD before the recovery starts",
        observed: alarm ? `${alarm.label} after ${s1(alarm.t - o.faultAt)}` : "host stayed GOOD",
        result: alarm ? "pass" : o.aborted ? "not reached" : "fail",
      });
    }
  }
  if (o.recoveryAt !== undefined) {
    // The membership stage's own record says how the node was evacuated (drain, delete-node, ...).
    const want = RECOVERY[o.request.recover].evacuation;
    const left = o.evacuated;
    out.push({
      what: `the stack evacuates the node as ${o.request.recover} says`,
      expected:
        want === "auto" ? "evacuation auto: out-of-service for a VM Nova confirms off" : `evacuation ${want}`,
      observed: left
        ? `${left.evacuation ?? "?"} (run record: membership delete ${left.outcome ?? "unfinished"})`
        : "no membership delete recorded",
      result:
        left?.outcome === "succeeded" &&
        (want === "auto" ? left.evacuation === "out-of-service" : left.evacuation === want)
          ? "pass"
          : "fail",
    });
  }
  const seen = o.samples.filter((s) => s.api.ok && s.etcd.servers > 0);
  if (seen.length) {
    const fewest = Math.min(...seen.map((s) => s.etcd.voters));
    const servers = seen[0].etcd.servers;
    out.push({
      what: "etcd keeps its quorum",
      expected: `at least ${Math.floor(servers / 2) + 1} of ${servers} servers etcd voters throughout`,
      observed: `fewest voters seen: ${fewest}`,
      result: fewest * 2 > servers ? "pass" : "fail",
    });
  }
  const gap = longestApiGapSec(o.samples);
  const failed = o.samples.filter((s) => !s.api.ok).length;
  out.push({
    what: "the Kubernetes API answers throughout",
    expected: "no gap longer than 10 s",
    observed: `${(((o.samples.length - failed) / Math.max(1, o.samples.length)) * 100).toFixed(1)} % of ${o.samples.length} samples answered; longest gap ${gap.toFixed(1)} s`,
    result: gap <= 10 ? "pass" : "fail",
  });
  const end = first(o.marks, "recovery-end");
  out.push({
    what: `the stack recovers the node (pulumi up, ${o.request.recover})`,
    expected: "the update succeeds",
    observed:
      o.recoveryAt === undefined
        ? "not started"
        : o.recoveryError
          ? `failed: ${o.recoveryError.split("\n").filter(Boolean).slice(-1)[0]?.slice(0, 200) ?? ""}`
          : `succeeded in ${s1((end?.t ?? o.recoveryAt) - o.recoveryAt)}`,
    result: o.recoveryAt !== undefined && !o.recoveryError ? "pass" : "fail",
  });
  out.push({
    what: "the cluster is green again",
    expected: "the health gate's checks pass after the update",
    observed:
      o.greenAt !== undefined
        ? `green ${s1(o.greenAt - (o.faultAt ?? o.recoveryAt ?? o.greenAt))} after the ${o.faultAt !== undefined ? "fault" : "recovery started"}`
        : "not green",
    result: o.greenAt !== undefined ? "pass" : "fail",
  });
  return out;
}

/** One row of the picture: a colour per sample interval. */
interface Row {
  label: string;
  colour: (s: Sample) => string;
}

const GREEN = "#3a9d5d";
const RED = "#d64545";
const AMBER = "#e8a33d";
const GREY = "#c8c8c8";
const health = (h?: string) =>
  h === "GOOD" ? GREEN : h === "BAD" ? RED : h === "CONCERNING" ? AMBER : h === undefined ? GREY : GREY;

function rows(grace: number): Row[] {
  return [
    { label: "Kubernetes API", colour: (s) => (s.api.ok ? GREEN : RED) },
    {
      label: "Node Ready",
      colour: (s) =>
        !s.api.ok ? GREY : s.node.ready === "True" ? GREEN : s.node.ready === "absent" ? GREY : RED,
    },
    {
      label: "Node lease fresh",
      colour: (s) => (s.node.leaseAgeSec === undefined ? GREY : s.node.leaseAgeSec <= grace ? GREEN : RED),
    },
    {
      label: "NoExecute taint",
      colour: (s) => (!s.api.ok || s.node.ready === "absent" ? GREY : s.node.taints.length ? AMBER : GREEN),
    },
    {
      label: "Pods Terminating",
      colour: (s) => (s.pods.total === 0 ? GREY : s.pods.terminating > 0 ? AMBER : GREEN),
    },
    { label: "CM host health", colour: (s) => (s.cm.error ? RED : health(s.cm.host)) },
    { label: "CM ECS service", colour: (s) => (s.cm.error ? RED : health(s.cm.ecs)) },
    {
      label: "VM (Nova)",
      colour: (s) =>
        s.vm.error
          ? GREY
          : s.vm.status === "ACTIVE"
            ? GREEN
            : s.vm.status === "SHUTOFF"
              ? RED
              : s.vm.status === "GONE"
                ? GREY
                : AMBER,
    },
    {
      label: "etcd voters",
      colour: (s) =>
        !s.api.ok
          ? GREY
          : s.etcd.voters === s.etcd.servers
            ? GREEN
            : s.etcd.voters * 2 > s.etcd.servers
              ? AMBER
              : RED,
    },
    { label: "Other nodes Ready", colour: (s) => (!s.api.ok ? GREY : s.othersNotReady.length ? RED : GREEN) },
  ];
}

const esc = (t: string) =>
  t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Events drawn as numbered lines (the recovery's stages are ticks in their own row). */
const LINE_MARKS: MarkKind[] = [
  "fault",
  "not-ready",
  "tainted",
  "evicted",
  "cm-alarm",
  "abort",
  "recovery-start",
  "node-gone",
  "node-ready",
  "recovery-end",
  "green",
];

/** The timeline picture: rows of signals over time, numbered event lines, a legend. */
export function renderSvg(title: string, samples: Sample[], marks: Mark[], grace: number): string {
  const W = 1100;
  const LEFT = 170;
  const RIGHT = 20;
  const TOP = 84;
  const ROW = 26;
  const all = rows(grace);
  const start = Math.min(samples[0]?.t ?? Date.now(), ...marks.map((m) => m.t));
  const end = Math.max(
    samples[samples.length - 1]?.t ?? start + 1000,
    ...marks.map((m) => m.t),
    start + 1000,
  );
  const x = (t: number) => LEFT + ((t - start) / (end - start)) * (W - LEFT - RIGHT);
  const lines = marks.filter((m) => LINE_MARKS.includes(m.kind));
  const stages = marks.filter((m) => m.kind === "stage");
  const plotBottom = TOP + (all.length + 1) * ROW;
  const legendTop = plotBottom + 64;
  const H = legendTop + Math.ceil(lines.length / 2) * 18 + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" shape-rendering="crispEdges">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  all.forEach((row, i) => {
    const y = TOP + i * ROW;
    out.push(`<text x="10" y="${y + 17}">${esc(row.label)}</text>`);
    // One bar per run of samples of the same colour.
    for (let j = 0; j < samples.length;) {
      const fill = row.colour(samples[j]);
      let k = j + 1;
      while (k < samples.length && row.colour(samples[k]) === fill) k++;
      const from = x(samples[j].t);
      const to = x(samples[k]?.t ?? samples[k - 1].t + 1000);
      out.push(
        `<rect class="bar" x="${from.toFixed(1)}" y="${y + 4}" width="${Math.max(0.5, to - from).toFixed(1)}" height="${ROW - 8}" fill="${fill}"/>`,
      );
      j = k;
    }
  });
  const stageY = TOP + all.length * ROW;
  out.push(`<text x="10" y="${stageY + 17}">Recovery stages</text>`);
  for (const m of stages)
    out.push(
      `<line class="stage" x1="${x(m.t).toFixed(1)}" x2="${x(m.t).toFixed(1)}" y1="${stageY + 4}" y2="${stageY + ROW - 4}" stroke="#5467c4" stroke-width="2"><title>${esc(m.label)}</title></line>`,
    );
  // Time axis: a tick every "nice" interval.
  const spanSec = (end - start) / 1000;
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((st) => spanSec / st <= 12) ?? 1200;
  for (let t = 0; t <= spanSec; t += step) {
    const tx = x(start + t * 1000);
    out.push(
      `<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${plotBottom}" y2="${plotBottom + 5}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${tx.toFixed(1)}" y="${plotBottom + 18}" text-anchor="middle" fill="#333">${t} s</text>`,
    );
  }
  // Numbers of events close together are stacked, so none hides another.
  let lastX = -Infinity;
  let level = 0;
  lines.forEach((m, i) => {
    const mx = x(m.t).toFixed(1);
    level = x(m.t) - lastX < 18 ? (level + 1) % 3 : 0;
    lastX = x(m.t);
    const cy = TOP - 16 - level * 18;
    const colour = m.kind === "fault" || m.kind === "abort" ? RED : m.kind === "green" ? GREEN : "#333";
    out.push(
      `<g class="mark" data-kind="${m.kind}" data-t="${m.t}" data-n="${i + 1}">` +
        `<line x1="${mx}" x2="${mx}" y1="${cy + 8}" y2="${plotBottom}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
        `<circle cx="${mx}" cy="${cy}" r="8" fill="${colour}" shape-rendering="auto"/>` +
        `<text x="${mx}" y="${cy + 4}" text-anchor="middle" font-size="10" fill="#fff">${i + 1}</text></g>`,
    );
    const col = i % 2;
    const ly = legendTop + Math.floor(i / 2) * 18;
    out.push(
      `<text x="${10 + col * 540}" y="${ly}"><tspan font-weight="bold">${i + 1}</tspan> +${((m.t - start) / 1000).toFixed(1)} s ${esc(m.label)}</text>`,
    );
  });
  out.push(
    `<text x="10" y="${plotBottom + 42}" fill="#555">green: as it should be · red: down or alarmed · amber: in between (tainted, Terminating, CONCERNING, a VM in transition) · grey: absent or unknown</text>`,
  );
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** The most pods seen Terminating at once per namespace, and the most in phase Unknown. */
function podLines(samples: Sample[]): string[] {
  const peak: Record<string, number> = {};
  for (const s of samples)
    for (const [ns, n] of Object.entries(s.pods.terminatingByNamespace))
      peak[ns] = Math.max(peak[ns] ?? 0, n);
  const unknown = Math.max(0, ...samples.map((s) => s.pods.unknown));
  const names = Object.keys(peak).sort();
  return [
    names.length
      ? `Most Terminating at once: ${names.map((ns) => `${ns} ${peak[ns]}`).join(", ")}.`
      : "No pod of the node was seen Terminating.",
    `Most in phase Unknown at once: ${unknown}.`,
  ];
}

export interface ReportInput {
  request: DrillRequest;
  cluster: DrillCluster;
  change: string;
  started: number;
  samples: Sample[];
  marks: Mark[];
  expectations: Expectation[];
  outcome: "passed" | "failed" | "incomplete";
  abortReason?: string;
  recoveryError?: string;
  restored?: string;
}

export function writeReport(r: ReportInput): { reportDir: string; reportFile: string; svgFile: string } {
  const { request: q, cluster: c } = r;
  const stamp = new Date(r.started)
    .toISOString()
    .replace(/[:.]/g, "")
    .replace(/\d{3}Z$/, "Z");
  const reportDir = path.resolve(q.outDir, `${q.stack}-${q.node}-${q.fault}-${q.recover}-${stamp}`);
  fs.mkdirSync(reportDir, { recursive: true });
  const title = `Drill ${q.stack}/${q.node} (${c.node.role}): ${q.fault}, recovered by ${q.recover}`;
  const svgFile = path.join(reportDir, "timeline.svg");
  fs.writeFileSync(svgFile, renderSvg(title, r.samples, r.marks, c.config.drills.nodeMonitorGracePeriodSec));
  fs.writeFileSync(
    path.join(reportDir, "samples.json"),
    JSON.stringify({ marks: r.marks, samples: r.samples }, null, 1),
  );
  const t0 = r.started;
  const md = [
    `# ${title}`,
    "",
    `**${r.outcome.toUpperCase()}**${r.abortReason ? ` (watching stopped early: ${r.abortReason})` : ""}`,
    "",
    `- started ${new Date(r.started).toISOString()}, ${r.samples.length} samples (one a second)`,
    `- node ${c.node.hostname} (${c.node.ip}), ${c.node.role}; cluster ${c.config.name}${c.isLab ? " (the embedded lab)" : ""}`,
    `- fault: ${q.fault}; recovery: ${q.recover}, ${RECOVERY[q.recover].runbook}`,
    `- stack change: ${r.change} (commit Pulumi.${q.stack}.yaml: generations only ever increase)`,
    ...(r.restored ? [`- afterwards: ${r.restored}`] : []),
    ...(r.recoveryError
      ? [
          `- the recovery failed: \`${r.recoveryError.split("\n").filter(Boolean).slice(-1)[0] ?? ""}\`; run \`pulumi up --stack ${q.stack}\` again once fixed`,
        ]
      : []),
    "",
    "## Expectations",
    "",
    "| expectation | expected | observed | result |",
    "| --- | --- | --- | --- |",
    ...r.expectations.map(
      (e) =>
        `| ${e.what} | ${e.expected} | ${e.observed} | ${e.result === "pass" ? "pass" : e.result === "fail" ? "**FAIL**" : e.result} |`,
    ),
    "",
    "## Pods on the node",
    "",
    ...podLines(r.samples),
    "",
    "## Timeline",
    "",
    "![timeline](timeline.svg)",
    "",
    "| time | event |",
    "| --- | --- |",
    ...r.marks.map((m) => `| +${((m.t - t0) / 1000).toFixed(1)} s | ${m.label} |`),
    "",
    "Raw samples (Node, lease, taints, pods, CM, Nova, API per second): `samples.json`.",
    "",
  ].join("\n");
  const reportFile = path.join(reportDir, "report.md");
  fs.writeFileSync(reportFile, md);
  return { reportDir, reportFile, svgFile };
}
