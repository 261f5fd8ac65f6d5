import * as fs from "fs";
import { LabPki } from "./pki";

/**
 * A kubeconfig for the admin identity. Certificates are referenced by path, not inlined, so the
 * file itself holds no key material and can be printed safely.
 */
export function writeAdminKubeconfig(file: string, server: string, pki: LabPki): void {
  const text = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: ecs-lab",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${pki.caCert}`,
    "users:",
    "- name: ecs-lab-admin",
    "  user:",
    `    client-certificate: ${pki.adminCert}`,
    `    client-key: ${pki.adminKey}`,
    "contexts:",
    "- name: ecs-lab",
    "  context:",
    "    cluster: ecs-lab",
    "    user: ecs-lab-admin",
    "current-context: ecs-lab",
    "",
  ].join("\n");
  fs.writeFileSync(file, text, { mode: 0o600 });
}
