import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from './csv-text.ts';
import { interpretCsv, refCsv } from './csv.ts';
import { evaluate } from './reference.ts';

describe('refCsv', () => {
  const input = [
    'equation,param,sex,age,height_cm,ethnicity,measured',
    'gli2021,FRC,male,30,178,,3.7',
    'gli2012,FEV1,female,42.3,160,3,2.4',
    'jian2017,FEV1FVC,male,50,172,,0.68',
    'nhanes3,FVC,male,27,180,caucasian,4.97',
    'gli2021,TLC,male,83,175,,6',
    'gli2022,FEV1,male,abc,175,,3',
    'gli2012,FEV1,male,40,175,,3',
    '"gli2022","FEV1FVC","female","61.5","158","","0.61"',
  ].join('\n');
  const { records } = parseCsvRecords(refCsv(input));

  it('keeps the input columns and computes every good row', () => {
    expect(records).toHaveLength(8);
    expect(Number(records[0]?.M)).toBeCloseTo(3.307587, 6);
    expect(Number(records[0]?.zscore)).toBeCloseTo(0.521705, 6);
    expect(Number(records[0]?.pct_pred)).toBeCloseTo(111.864, 3);
    const gli = evaluate('gli2012', 'FEV1', { sex: 'female', ageYears: 42.3, heightCm: 160, ethnicity: 3 }, 2.4);
    expect(Number(records[1]?.lln)).toBe(gli.lln);
    expect(Number(records[2]?.predicted)).toBeCloseTo(0.81234476, 7);
    expect(records[3]?.zscore).toBe(''); // NHANES III: no z-score
    expect(Number(records[3]?.lln)).toBeGreaterThan(4.7);
    expect(records[7]?.status).toBe('ok');
  });

  it('refuses out-of-range and malformed rows with a message, without stopping', () => {
    expect(records[4]).toMatchObject({ status: 'refused', predicted: '' });
    expect(records[4]?.message).toMatch(/outside/);
    expect(records[5]?.message).toMatch(/age "abc" is not a number/);
    expect(records[6]?.message).toMatch(/ethnicity "" must be 1-5/);
  });

  it('extrapolates when asked, and says so', () => {
    const out = parseCsvRecords(refCsv(input, { outOfRange: 'extrapolate' })).records;
    expect(out[4]?.status).toBe('extrapolated');
    expect(Number(out[4]?.predicted)).toBeGreaterThan(0);
  });

  it('throws on a missing required column, naming it', () => {
    expect(() => refCsv('equation,param,sex,age\ngli2022,FEV1,male,40')).toThrow(/height_cm/);
  });
});

describe('interpretCsv', () => {
  const input = [
    'sex,age,height_cm,ethnicity,spirometry_equation,fev1,fvc,post_fev1,post_fvc,tlc,rv,frc,dlco_si,va,hb',
    'male,55.2,172,,,2.2,4.1,2.65,4.3,,,,,,',
    'female,40,160,,,2.9,3.5,,,5.0,1.6,2.8,7.5,4.9,13',
    'male,60,170,3,gli2012,1.5,2.2,,,3.9,,,4.0,4.5,',
    'male,xx,170,,,3,4,,,,,,,,',
    'female,30,165,,badeq,3,3.6,,,,,,,,',
  ].join('\n');
  const { records } = parseCsvRecords(interpretCsv(input));

  it('interprets each exam with pattern, severity, BDR and narratives', () => {
    expect(records).toHaveLength(5);
    const first = records[0];
    expect(first?.pattern).toBe('obstruction');
    expect(first?.bdr).toBe('positive'); // +450 mL of a predicted FEV1 near 3.3 L
    expect(first?.narrative_zh).toMatch(/阻塞性通气功能障碍，支气管舒张试验阳性$/);
    expect(first?.equations).toBe('spirometry=gli2022');
    expect(Number(first?.fev1_z)).toBeLessThan(-1.645);
    expect(records[1]?.pattern).toBe('normal');
    expect(records[1]?.gas_transfer).not.toBe('');
    expect(records[1]?.rvtlc_z).not.toBe('');
    expect(records[2]?.equations).toContain('spirometry=gli2012');
    expect(records[2]?.pattern).toBe('mixed');
  });

  it('a malformed row gets a message and the others still compute', () => {
    expect(records[3]?.message).toMatch(/age "xx" is not a number/);
    expect(records[3]?.pattern).toBe('');
    expect(records[4]?.message).toMatch(/spirometry_equation "badeq"/);
  });

  it('throws on a missing required column', () => {
    expect(() => interpretCsv('sex,age,height_cm,fev1\nmale,40,170,3')).toThrow(/fvc/);
  });
});
