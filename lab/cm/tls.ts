import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface TlsMaterial {
  dir: string;
  caPem: string;
  keyPem: string;
  certPem: string;
}

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: "pipe" });
}

/**
 * A throw-away CA and a server certificate it signed (SAN: localhost, 127.0.0.1 and the lab node addresses),
 * made with Debian's openssl CLI, so clients verify a real chain instead of turning verification off.
 */
export function makeTlsMaterial(extraSans: string[] = [], caName = "CM simulator test CA"): TlsMaterial {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cm-sim-tls-"));
  const file = (name: string): string => path.join(dir, name);
  const sans = ["DNS:localhost", "IP:127.0.0.1", ...extraSans].join(",");
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${caName}`,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  const server = issue(dir, "server", "localhost", `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\n`);
  return {
    dir,
    caPem: fs.readFileSync(file("ca.pem"), "utf8"),
    keyPem: server.keyPem,
    certPem: server.certPem,
  };
}

/** A key and a certificate for `commonName`, signed by the CA in `dir`, with these extensions. */
function issue(
  dir: string,
  base: string,
  commonName: string,
  extensions: string,
): { certPem: string; keyPem: string } {
  const file = (name: string): string => path.join(dir, name);
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${commonName}`,
    "-keyout",
    file(`${base}.key`),
    "-out",
    file(`${base}.csr`),
  );
  fs.writeFileSync(file(`${base}.ext`), extensions);
  openssl(
    "x509",
    "-req",
    "-in",
    file(`${base}.csr`),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file(`${base}.ext`),
    "-out",
    file(`${base}.pem`),
  );
  return {
    certPem: fs.readFileSync(file(`${base}.pem`), "utf8"),
    keyPem: fs.readFileSync(file(`${base}.key`), "utf8"),
  };
}

/** A client certificate signed by the material's CA (for servers that ask for one, like etcd). */
export function issueClientCert(
  material: TlsMaterial,
  commonName: string,
): { certPem: string; keyPem: string } {
  return issue(
    material.dir,
    "client",
    commonName,
    "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
  );
}
