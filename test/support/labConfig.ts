import type { OpenStackSimulator } from "../../lab/openstack/server";
import { LAB_FLAVORS, LAB_IMAGES, LAB_NODES as NODES } from "../../lab/ecs";
import { labStackConfig as fullLabConfig, LabConfigMap } from "../../lab/ecs/stackConfig";

export { LAB_FLAVORS, LAB_IMAGES };

/** An example host key (Pulumi.dev.yaml's): nothing connects to the nodes of a machine-only stack. */
const EXAMPLE_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdmKQ2Xw3HhQznxNCZN5Jht2ESmBDp390BXKpvmm5I/";

/** The lab's nodes in the shape the machine-only tests use (with the host keys config requires). */
export const LAB_NODES = NODES.map((n) => ({
  name: n.name,
  ip: n.ip,
  role: n.role,
  sshHostKey: EXAMPLE_HOST_KEY,
}));

/**
 * SSH settings the configuration requires (every server's host key, the operator's key) though
 * nothing connects in a machine-only stack: example keys, as in Pulumi.dev.yaml.
 */
const UNUSED_SSH = {
  port: 22,
  user: "root" as const,
  privateKey:
    "-----BEGIN OPENSSH PRIVATE KEY-----\nunused by a machine-only stack\n-----END OPENSSH PRIVATE KEY-----\n",
  hostKeys: Object.fromEntries(NODES.map((n) => [n.name, EXAMPLE_HOST_KEY])),
};

/** Stack config for the machine-only fixture: the OpenStack simulator and a placeholder CM. */
export function labStackConfig(sim: OpenStackSimulator, password: string, cmUrl: string): LabConfigMap {
  return fullLabConfig({
    openstack: sim,
    openstackPassword: password,
    cmUrl,
    cmPassword: "unused-cm-password",
    ssh: UNUSED_SSH,
  });
}
