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
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  fs.writeFileSync(file("san.ext"), `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\n`);
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("san.ext"),
    "-out",
    file("server.pem"),
  );
  return {
    dir,
    caPem: fs.readFileSync(file("ca.pem"), "utf8"),
    keyPem: fs.readFileSync(file("server.key"), "utf8"),
    certPem: fs.readFileSync(file("server.pem"), "utf8"),
  };
}

/** A client certificate signed by the material's CA (for servers that ask for one, like etcd). */
export function issueClientCert(
  material: TlsMaterial,
  commonName: string,
): { certPem: string; keyPem: string } {
  const file = (name: string): string => path.join(material.dir, name);
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${commonName}`,
    "-keyout",
    file("client.key"),
    "-out",
    file("client.csr"),
  );
  fs.writeFileSync(file("client.ext"), "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("client.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("client.ext"),
    "-out",
    file("client.pem"),
  );
  return {
    certPem: fs.readFileSync(file("client.pem"), "utf8"),
    keyPem: fs.readFileSync(file("client.key"), "utf8"),
  };
}
