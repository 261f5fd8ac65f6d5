/** Small, dependency-free IPv4 and DNS helpers used by the config validators. */

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export interface Ipv4Cidr {
  network: number;
  prefix: number;
}

export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const addr = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  // A CIDR with host bits set is almost always a typo (192.168.8.1/24 meant 192.168.8.0/24).
  if ((addr & mask) >>> 0 !== addr) return undefined;
  return { network: addr, prefix };
}

export function cidrContains(cidr: Ipv4Cidr, addr: number): boolean {
  const mask = cidr.prefix === 0 ? 0 : (~0 << (32 - cidr.prefix)) >>> 0;
  return (addr & mask) >>> 0 === cidr.network;
}

/** Network and broadcast addresses cannot be given to a port (for prefixes that have them). */
export function isReservedInCidr(cidr: Ipv4Cidr, addr: number): boolean {
  if (cidr.prefix >= 31) return false;
  const size = 2 ** (32 - cidr.prefix);
  return addr === cidr.network || addr === cidr.network + size - 1;
}

/** Anything that opens a rule to every address, IPv4 or IPv6. */
export function isWorldCidr(text: string): boolean {
  const t = text.trim();
  return t === "0.0.0.0/0" || t === "::/0" || t === "::0/0";
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isDnsLabel(text: string): boolean {
  return DNS_LABEL.test(text);
}

/** Lower-case RFC 1123 name with at least two labels, at most 253 characters. */
export function isFqdn(text: string): boolean {
  if (text.length > 253) return false;
  const labels = text.split(".");
  return labels.length >= 2 && labels.every(isDnsLabel);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** True when the CIDRs together cover every IPv4 address (0.0.0.0/1 + 128.0.0.0/1 is the world too). */
export function coversAllIpv4(cidrs: Ipv4Cidr[]): boolean {
  const ranges = cidrs
    .map((c) => [c.network, c.network + 2 ** (32 - c.prefix)] as const)
    .sort((a, b) => a[0] - b[0]);
  let reached = 0;
  for (const [start, end] of ranges) {
    if (start > reached) return false;
    reached = Math.max(reached, end);
  }
  return reached >= 2 ** 32;
}
