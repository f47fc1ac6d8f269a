import { describe, expect, it } from 'vitest';
import { createBloomFilter } from './bloom-filter.js';

const requestNos = (from: number, n: number) => Array.from({ length: n }, (_, i) => `SQ${String(from + i).padStart(10, '0')}`);

describe('bloom filter', () => {
  it('never answers "no" for a key it holds, and "maybe" for about 1 % of the others at capacity', () => {
    const filter = createBloomFilter(50_000);
    const held = requestNos(0, 50_000);
    for (const key of held) filter.add(key);
    expect(held.every((key) => filter.mightHave(key))).toBe(true);
    const others = requestNos(1_000_000, 50_000);
    const maybes = others.filter((key) => filter.mightHave(key)).length;
    expect(maybes / others.length).toBeLessThan(0.02);
    expect(filter.overfull).toBe(false);
  });

  it('answers "no" for everything while empty, and tells Chinese and Latin keys apart', () => {
    const filter = createBloomFilter(10);
    expect(filter.mightHave('SQ0000000001')).toBe(false);
    filter.add('申请单-甲');
    expect(filter.mightHave('申请单-甲')).toBe(true);
    expect(filter.mightHave('申请单-乙')).toBe(false);
  });

  it('stays without a wrong "no" when filled far beyond its size, and says it is overfull', () => {
    const filter = createBloomFilter(100);
    const held = requestNos(0, 5_000);
    for (const key of held) filter.add(key);
    expect(filter.overfull).toBe(true);
    expect(held.every((key) => filter.mightHave(key))).toBe(true);
  });
});
