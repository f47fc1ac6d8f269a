import { describe, expect, it } from 'vitest';
import { ageAt, maskIdNumber, maskPhone } from './patients.js';

describe('patient display rules', () => {
  it('masks identity numbers and phones', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskIdNumber(null)).toBeNull();
  });

  it('gives the age at the exam date, as Chinese reports print it', () => {
    expect(ageAt('1968-11-26', '2026-11-25')).toMatchObject({ years: 57, label: '57岁' });
    expect(ageAt('1968-11-25', '2026-11-25')).toMatchObject({ years: 58, label: '58岁' });
    expect(ageAt('2023-09-10', '2026-11-25').label).toBe('3岁2月');
    expect(ageAt('2026-03-30', '2026-11-25').label).toBe('7月');
    expect(ageAt('2000-02-29', '2026-11-25').decimalYears).toBeCloseTo(26.74, 2);
  });
});
