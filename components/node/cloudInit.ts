import { ClouderaConfig, NodeConfig } from "../config/types";

/** Where ECS keeps its local data (Longhorn, local-path volumes); the persistent data volume mounts here. */
export const ECS_DATA_MOUNT = "/ecs";

/**
 * Cloud-init user data for a node: hostname, the Cloudera Manager agent pointed at CM, and the
 * persistent data volume. It carries the rebuild generation on purpose: user data is a
 * replace-on-change input of the OpenStack instance, so bumping `rebuild` replaces the VM and
 * the preview shows why. No secrets: user data is readable from the metadata service.
 */
export function renderUserData(node: NodeConfig, cm: ClouderaConfig): string {
  const repo = cm.agentRepoUrl.replace(/\/+$/, "");
  const lines = [
    "#cloud-config",
    `# ecs-pulumi: node ${node.name} (${node.role}), rebuild generation ${node.rebuild}`,
    `hostname: ${node.name}`,
    `fqdn: ${node.hostname}`,
    "prefer_fqdn_over_hostname: true",
    "manage_etc_hosts: true",
    "yum_repos:",
    "  cloudera-manager:",
    "    name: Cloudera Manager",
    `    baseurl: ${repo}`,
    `    gpgkey: ${repo}/RPM-GPG-KEY-cloudera`,
    "    gpgcheck: true",
    "    enabled: true",
    "packages:",
    "  - cloudera-manager-agent",
    "  - cloudera-manager-daemons",
    "runcmd:",
    // The data volume is attached after boot; wait for it, format only if blank, so a rebuilt VM keeps its data.
    `  - [sh, -c, "for i in $(seq 1 300); do [ -b /dev/vdb ] && break; sleep 1; done; blkid /dev/vdb || mkfs.xfs /dev/vdb; mkdir -p ${ECS_DATA_MOUNT}; grep -q ' ${ECS_DATA_MOUNT} ' /etc/fstab || echo '/dev/vdb ${ECS_DATA_MOUNT} xfs defaults,nofail 0 2' >> /etc/fstab; mount -a"]`,
    `  - [sed, -i, "s/^server_host=.*/server_host=${cm.host}/", /etc/cloudera-scm-agent/config.ini]`,
    "  - [systemctl, enable, --now, cloudera-scm-agent]",
    "",
  ];
  return lines.join("\n");
}
