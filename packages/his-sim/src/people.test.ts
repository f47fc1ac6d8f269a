import { describe, expect, it } from 'vitest';
import { idCheckCharacter, isValidIdNumber, randomPerson } from './people.js';
import { seededRandom } from './random.js';

describe('invented people', () => {
  it('computes the GB 11643 check character (the standard’s own example)', () => {
    // GB 11643-1999 appendix: 11010519491231002X.
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
  });

  it('gives every person a valid identity number that agrees with birth date and sex', () => {
    const r = seededRandom(42);
    for (let i = 0; i < 500; i++) {
      const p = randomPerson(r, new Date('2026-11-25T00:00:00Z'));
      expect(isValidIdNumber(p.idNumber), p.idNumber).toBe(true);
      expect(p.idNumber.slice(6, 14)).toBe(p.birthDate.replaceAll('-', ''));
      expect(Number(p.idNumber[16]) % 2).toBe(p.sex === 'male' ? 1 : 0);
      expect(p.phone).toMatch(/^1[35789]\d{9}$/);
      expect(p.name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
    }
  });

  it('is the same for the same seed', () => {
    const day = new Date('2026-11-25T00:00:00Z');
    expect(randomPerson(seededRandom(7), day)).toEqual(randomPerson(seededRandom(7), day));
  });
});
