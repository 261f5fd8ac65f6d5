import { loadConfig } from "./components/config/load";
import { EcsCluster } from "./components/ecsCluster";

// Validate everything first: a bad config fails here, before any resource is registered.
const { cluster, cmPassword, cmCaBundle } = loadConfig();

const ecs = new EcsCluster(cluster.name, { cluster, cmPassword, cmCaBundle });

export const clusterName = cluster.name;
export const nodes = ecs.nodeSummary();
