// `spec.cidr` of a Network (quotas-networks.md §2.2, N11): a private IPv4 block. The OTC and HW
// pages list 172.16.0.0/12 and 192.168.0.0/16; the Terraform docs add 10.0.0.0/8. We accept the
// superset, each with its largest prefix at /24.

/** A permitted block: its base address and the prefix lengths allowed inside it. */
interface PrivateRange {
  readonly base: number;
  readonly minPrefix: number;
  readonly maxPrefix: number;
}

const PRIVATE_RANGES: readonly PrivateRange[] = [
  { base: 0x0a000000, minPrefix: 8, maxPrefix: 24 },
  { base: 0xac100000, minPrefix: 12, maxPrefix: 24 },
  { base: 0xc0a80000, minPrefix: 16, maxPrefix: 24 },
];

const ALLOWED = 'must be inside 10.0.0.0/8 (prefix /8–/24), 172.16.0.0/12 (/12–/24) or 192.168.0.0/16 (/16–/24)';

// One or more digits with no leading zero: "01" is refused because some parsers read it as octal.
const DECIMAL = '(0|[1-9][0-9]*)';
const CIDR_SHAPE = new RegExp(`^${DECIMAL}\\.${DECIMAL}\\.${DECIMAL}\\.${DECIMAL}/${DECIMAL}$`);

/** Mask with the top `prefix` bits set, as an unsigned 32-bit number. */
function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** Null when `text` is an acceptable Network CIDR, else a reason fit for an error message. */
export function validatePrivateCidr(text: string): string | null {
  const match = CIDR_SHAPE.exec(text);
  if (!match) {
    return `"${text}" is not an IPv4 CIDR of the form a.b.c.d/n (decimal, no leading zeros, no spaces)`;
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) return `"${text}" has an address octet above 255`;
  if (prefix > 32) return `"${text}" has a prefix length above 32`;

  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  // The range comes first: for 172.16.0.0/11 "host bits set, use 172.0.0.0/11" would send the
  // client to another address that is refused as well.
  const inside = PRIVATE_RANGES.some(
    (r) => prefix >= r.minPrefix && prefix <= r.maxPrefix && (address & maskOf(r.minPrefix)) >>> 0 === r.base,
  );
  if (!inside) return `"${text}" ${ALLOWED}`;
  const network = (address & maskOf(prefix)) >>> 0;
  if (network !== address) {
    return `"${text}" has host bits set; the network address is ${formatAddress(network)}/${prefix}`;
  }
  return null;
}

/**
 * The addresses of a block that nodes take (D-I1): all but the network address, the gateway (the
 * first host) and the broadcast address. `first` is the first of them as a 32-bit number.
 * Prefixes are clamped to /8–/30 so a malformed stored value still yields a usable range.
 */
export function hostRange(cidr: string): { first: number; size: number } {
  const [address, bits] = cidr.split('/');
  const prefix = Math.min(30, Math.max(8, Number(bits) || 24));
  const base = address.split('.').reduce((n, part) => n * 256 + (Number(part) & 255), 0) >>> 0;
  const size = 2 ** (32 - prefix) - 3;
  return { first: ((base & maskOf(prefix)) >>> 0) + 2, size };
}

const ADDRESS_SHAPE = new RegExp(`^${DECIMAL}\\.${DECIMAL}\\.${DECIMAL}\\.${DECIMAL}$`);

/**
 * Null when `address` is one a node of `cidr` may have (hostRange: not the network
 * address, the gateway or the broadcast address), else a reason fit for an error message.
 */
export function validateHostAddress(address: string, cidr: string): string | null {
  const match = ADDRESS_SHAPE.exec(address);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  if (!match || octets.some((o) => o > 255)) return `"${address}" is not an IPv4 address a.b.c.d`;
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const { first, size } = hostRange(cidr);
  if (value < first || value >= first + size) {
    return `${address} is not a node address of ${cidr} (${formatAddress(first)}–${formatAddress(first + size - 1)})`;
  }
  return null;
}
