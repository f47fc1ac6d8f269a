const BITS_PER_KEY = 10;
const HASHES = 7; // with 10 bits a key: about 1 % of absent keys answer "maybe"

export type BloomFilter = ReturnType<typeof createBloomFilter>;

/**
 * A set that may answer "maybe" for a key it never saw (about 1 % of them while it holds at most `capacity` keys,
 * more beyond), but never "no" for a key it saw. Kilobytes where a set of the keys themselves would take megabytes.
 */
export function createBloomFilter(capacity: number) {
  const bitCount = Math.max(64, Math.ceil(capacity * BITS_PER_KEY));
  const bits = new Uint32Array(Math.ceil(bitCount / 32));
  let count = 0;

  // Two independent 32-bit hashes of the string, combined into HASHES bit positions (Kirsch–Mitzenmacher).
  function positions(key: string, visit: (bit: number) => boolean): boolean {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    for (let i = 0; i < HASHES; i++) {
      if (!visit((((a + Math.imul(i, b | 1)) >>> 0) % bitCount) >>> 0)) return false;
    }
    return true;
  }

  return {
    add(key: string) {
      positions(key, (bit) => {
        bits[bit >>> 5]! |= 1 << (bit & 31);
        return true;
      });
      count += 1;
    },
    mightHave: (key: string) => positions(key, (bit) => (bits[bit >>> 5]! & (1 << (bit & 31))) !== 0),
    /** More keys added than it was sized for: still never a wrong "no", but more "maybe"s. */
    get overfull() {
      return count > capacity;
    },
  };
}
