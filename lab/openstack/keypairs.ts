// SSH key pairs as Nova keeps them: MD5 fingerprint of the key blob, or a generated RSA pair.
import { createHash, generateKeyPairSync } from "node:crypto";
import { ApiError } from "./http";

/** "aa:bb:..." MD5 over the base64-decoded key blob, like Nova's `generate_fingerprint`. */
export function fingerprint(publicKey: string): string {
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2 || !/^(ssh-|ecdsa-)/.test(parts[0])) {
    throw ApiError.badRequest("Keypair data is invalid: failed to generate fingerprint");
  }
  const blob = Buffer.from(parts[1], "base64");
  if (blob.length < 16) throw ApiError.badRequest("Keypair data is invalid: failed to generate fingerprint");
  return createHash("md5")
    .update(blob)
    .digest("hex")
    .replace(/(..)(?!$)/g, "$1:");
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** An SSH mpint: big-endian, with a leading zero byte when the top bit is set. */
function mpint(b: Buffer): Buffer {
  return sshString(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

/** Nova generates a key pair when no public key is given and returns the private half once. */
export function generateRsaKeypair(comment: string): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  if (!jwk.n || !jwk.e) throw new Error("RSA key export failed");
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    mpint(Buffer.from(jwk.e, "base64url")),
    mpint(Buffer.from(jwk.n, "base64url")),
  ]);
  return {
    publicKey: `ssh-rsa ${blob.toString("base64")} ${comment}`,
    privateKey: privateKey.export({ format: "pem", type: "pkcs1" }).toString(),
  };
}
