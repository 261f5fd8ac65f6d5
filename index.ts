import { assertCompiledCurrent } from "./components/compiledProgram";
import { loadConfig } from "./components/config/load";
import { EcsCluster } from "./components/ecsCluster";

// Never run compiled code older than the checkout (the stages would run it too).
assertCompiledCurrent();
// The SDK formats a stack trace for every resource and most of their inputs, each frame through
// source-map-support, which it installs; the compiled program has no source maps, so V8's own
// formatting loses nothing and saves about a third of a 60-node preview (npm run bench:preview).
Reflect.deleteProperty(Error, "prepareStackTrace");

// Validate everything first: a bad config fails here, before any resource is registered.
const { cluster, cmPassword, cmCaBundle, kubeconfig, sshPrivateKey, openstackAuth } = loadConfig();

const ecs = new EcsCluster(cluster.name, {
  cluster,
  cmPassword,
  cmCaBundle,
  kubeconfig,
  sshPrivateKey,
  openstackAuth,
});

export const clusterName = cluster.name;
export const nodes = ecs.nodeSummary();
/** What the last node change did, stage by stage (also in <runRecordDir>/records.jsonl; `npm run record`). */
export const runRecord = ecs.runRecord();
