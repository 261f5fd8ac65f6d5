import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** File paths of the lab's certificates and keys (keys are mode 0600 and never leave the lab dir). */
export interface LabPki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** Key pair the apiserver signs and verifies service-account tokens with. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/**
 * A throw-away CA, the apiserver's serving certificate (127.0.0.1, localhost, the in-cluster
 * names) and an admin client certificate in system:masters, made with the openssl CLI.
 * EC P-256 keys: fast to generate on a loaded machine, and accepted by every component.
 */
export function makeLabPki(dir: string): LabPki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name: string): string => path.join(dir, name);
  const pki: LabPki = {
    caCert: f("ca.crt"),
    caKey: f("ca.key"),
    servingCert: f("apiserver.crt"),
    servingKey: f("apiserver.key"),
    adminCert: f("admin.crt"),
    adminKey: f("admin.key"),
    serviceAccountKey: f("sa.key"),
    serviceAccountPub: f("sa.pub"),
  };
  for (const key of [pki.caKey, pki.servingKey, pki.adminKey, pki.serviceAccountKey]) newKey(key);
  openssl("pkey", "-in", pki.serviceAccountKey, "-pubout", "-out", pki.serviceAccountPub);
  openssl(
    "req",
    "-x509",
    "-new",
    "-key",
    pki.caKey,
    "-subj",
    "/CN=ecs-lab-kubernetes-ca",
    "-days",
    "30",
    "-out",
    pki.caCert,
  );
  const sans = [
    "IP:127.0.0.1",
    "IP:10.43.0.1",
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ];
  signLeaf(pki, dir, "apiserver", "/CN=kube-apiserver", "serverAuth", sans, pki.servingKey, pki.servingCert);
  signLeaf(
    pki,
    dir,
    "admin",
    "/O=system:masters/CN=ecs-lab-admin",
    "clientAuth",
    [],
    pki.adminKey,
    pki.adminCert,
  );
  return pki;
}

function newKey(file: string): void {
  openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file);
  fs.chmodSync(file, 0o600);
}

function signLeaf(
  pki: LabPki,
  dir: string,
  name: string,
  subject: string,
  usage: "serverAuth" | "clientAuth",
  sans: string[],
  key: string,
  cert: string,
): void {
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  const lines = [
    "[leaf]",
    "basicConstraints = critical, CA:FALSE",
    "keyUsage = critical, digitalSignature, keyEncipherment",
    `extendedKeyUsage = ${usage}`,
  ];
  if (sans.length > 0) lines.push(`subjectAltName = ${sans.join(", ")}`);
  fs.writeFileSync(ext, lines.join("\n") + "\n");
  openssl("req", "-new", "-key", key, "-subj", subject, "-out", csr);
  openssl(
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    pki.caCert,
    "-CAkey",
    pki.caKey,
    "-CAcreateserial",
    "-days",
    "30",
    "-extfile",
    ext,
    "-extensions",
    "leaf",
    "-out",
    cert,
  );
  fs.rmSync(csr);
}

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
}
