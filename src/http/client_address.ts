// Who a request really comes from: the peer address, or — only when the peer is a trusted proxy — the
// client named by X-Forwarded-For or Forwarded. Without trusted proxies those headers are ignored.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const PLAIN_IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** A parsed trusted-proxy entry: an exact address, or an IPv4 range. */
type Matcher = (address: string) => boolean;

function ipv4ToInt(address: string): number | null {
  const match = IPV4.exec(address);
  if (match === null) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** `::ffff:10.0.0.1` is an IPv4 peer seen through an IPv6 socket. */
function normalize(address: string): string {
  // A plain dotted IPv4 peer (every connect's, behind most setups) is already in its normal form.
  if (PLAIN_IPV4.test(address)) return address;
  const trimmed = address.trim().replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return (mapped ? mapped[1]! : trimmed).toLowerCase();
}

function matcher(entry: string): Matcher {
  const [address, bits] = entry.split("/");
  const base = ipv4ToInt(address!);
  if (base !== null && bits !== undefined) {
    const width = Number(bits);
    const mask = width === 0 ? 0 : (~0 << (32 - width)) >>> 0;
    return (candidate) => {
      const value = ipv4ToInt(candidate);
      return value !== null && ((value & mask) >>> 0) === ((base & mask) >>> 0);
    };
  }
  const exact = normalize(address!);
  return (candidate) => candidate === exact;
}

/** Addresses named by the forwarding headers, nearest hop last. */
function forwardedChain(headers: Headers): string[] {
  const forwarded = headers.get("forwarded");
  if (forwarded !== null) {
    const found: string[] = [];
    for (const element of forwarded.split(",")) {
      const match = /(?:^|;)\s*for\s*=\s*("?)([^";]+)\1/i.exec(element);
      if (match === null) continue;
      // `for="[2001:db8::1]:4711"` or `for=192.0.2.43:1234`: drop the port, keep the address.
      const value = match[2]!.trim();
      const host = value.startsWith("[")
        ? value.slice(1, value.indexOf("]"))
        : value.includes(".")
        ? value.split(":")[0]!
        : value;
      found.push(host);
    }
    if (found.length > 0) return found;
  }
  const xff = headers.get("x-forwarded-for");
  return xff === null ? [] : xff.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export class ClientAddress {
  #trusted: Matcher[];

  constructor(trustedProxies: readonly string[]) {
    this.#trusted = trustedProxies.map(matcher);
  }

  #isTrusted(address: string): boolean {
    return this.#trusted.some((test) => test(address));
  }

  /**
   * The client's address. Walks the forwarding chain from the nearest hop back, skipping trusted proxies;
   * the first untrusted address is the client (anything further left could be forged by it).
   */
  resolve(peer: string, headers: Headers): string {
    let address = normalize(peer);
    if (this.#trusted.length === 0 || !this.#isTrusted(address)) return address;
    const chain = forwardedChain(headers).map(normalize);
    for (let i = chain.length - 1; i >= 0; i--) {
      address = chain[i]!;
      if (!this.#isTrusted(address)) return address;
    }
    return address;
  }
}
