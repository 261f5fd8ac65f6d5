// IPv4 address management for Neutron subnets: CIDR checks, default pools, lowest-free allocation.
import { ApiError } from "./http";

export function ipToInt(ip: string): number {
  const parts = ip.split(".");
  if (parts.length !== 4) throw ApiError.badRequest(`Invalid IPv4 address '${ip}'`, "InvalidInput");
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255)
      throw ApiError.badRequest(`Invalid IPv4 address '${ip}'`, "InvalidInput");
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export interface Cidr {
  network: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw ApiError.badRequest(`Invalid CIDR '${cidr}'`, "InvalidInput");
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30)
    throw ApiError.badRequest(`Unsupported prefix length in '${cidr}'`, "InvalidInput");
  const size = 2 ** (32 - prefix);
  const network = ipToInt(m[1]);
  if (network % size !== 0) throw ApiError.badRequest(`'${cidr}' is not a network address`, "InvalidInput");
  return { network, size };
}

export function inCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const v = ipToInt(ip);
  return v >= c.network && v < c.network + c.size;
}

export function firstHost(cidr: string): string {
  return intToIp(parseCidr(cidr).network + 1);
}

/** Neutron's default pool: every host address except the gateway. */
export function defaultPool(cidr: string, gatewayIp: string | null): { start: string; end: string } {
  const c = parseCidr(cidr);
  const first = c.network + 1;
  const last = c.network + c.size - 2;
  const gw = gatewayIp ? ipToInt(gatewayIp) : -1;
  return { start: intToIp(gw === first ? first + 1 : first), end: intToIp(gw === last ? last - 1 : last) };
}

/** Lowest address in the pools that is neither used nor the gateway. */
export function allocate(
  pools: { start: string; end: string }[],
  used: Set<string>,
  gatewayIp: string | null,
): string | undefined {
  for (const p of pools) {
    for (let v = ipToInt(p.start); v <= ipToInt(p.end); v++) {
      const ip = intToIp(v);
      if (!used.has(ip) && ip !== gatewayIp) return ip;
    }
  }
  return undefined;
}
