import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from './csv-text.ts';
import { interpretCsv, refCsv } from './csv.ts';
import { DEFAULT_LAB_SETTINGS, type LabSettings } from './interpretation/interpret.ts';
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

describe('output columns (pinned)', () => {
  it('pftis ref adds exactly these columns', () => {
    const out = refCsv('equation,param,sex,age,height_cm,ethnicity,measured\ngli2022,FEV1,male,40,175,,3\n');
    expect(out.split('\n')[0]).toBe('equation,param,sex,age,height_cm,ethnicity,measured,L,M,S,predicted,lln,uln,zscore,pct_pred,status,message');
  });

  it('pftis interpret adds exactly these columns', () => {
    const out = interpretCsv('sex,age,height_cm,fev1,fvc\nmale,40,175,3,4\n');
    expect(out.split('\n')[0]).toBe(
      'sex,age,height_cm,fev1,fvc,' +
        'fev1_z,fev1_pct_pred,fvc_z,fvc_pct_pred,fev1fvc_z,fev1fvc_pct_pred,post_fev1_z,post_fev1_pct_pred,post_fvc_z,post_fvc_pct_pred,' +
        'post_fev1fvc_z,post_fev1fvc_pct_pred,tlc_z,tlc_pct_pred,rv_z,rv_pct_pred,frc_z,frc_pct_pred,rvtlc_z,rvtlc_pct_pred,' +
        'dlco_si_z,dlco_si_pct_pred,va_z,va_pct_pred,kco_si_z,kco_si_pct_pred,mmef_z,mmef_pct_pred,fef75_z,fef75_pct_pred,' +
        'dlco_si_hb_corrected,pattern,severity,bdr,gas_transfer,small_airway_dysfunction,narrative_zh,narrative_en,scheme,equations,status,message',
    );
  });
});

describe('refCsv: values it will not take silently', () => {
  const { records } = parseCsvRecords(refCsv([
    'equation,param,sex,age,height_cm,ethnicity,measured',
    'gli2022,FEV1,male,40,175,3,3.2',
    'gli2022,FEV1FVC,male,40,175,,1.02',
    'jian2017,FEV1FVC,male,40,175,,72',
    'gli2022,FEV1FVC,male,40,175,,1',
  ].join('\n')));

  it('an ethnicity for an equation that takes none is ignored, with a message', () => {
    expect(records[0]?.status).toBe('ok');
    expect(records[0]?.zscore).not.toBe('');
    expect(records[0]?.message).toBe('ethnicity "3" ignored: gli2022 takes no ethnic group');
  });

  it('FEV1FVC above 1 is refused, a percentage is named as such; exactly 1 is computed', () => {
    expect(records[1]).toMatchObject({ status: 'refused', predicted: '', zscore: '', message: 'measured FEV1FVC 1.02 is above 1: it must be a ratio between 0 and 1' });
    expect(records[2]?.message).toBe('measured FEV1FVC 72 is above 1: it must be a ratio between 0 and 1 (a percentage? divide by 100)');
    expect(records[3]?.status).toBe('ok');
    expect(Number(records[3]?.zscore)).toBeGreaterThan(1.645);
  });
});

describe('interpretCsv: degraded and scheme-specific rows say why', () => {
  it('Jian 2017 men: obstruction from FEV1/FVC alone, the rest named as not determinable in the message', () => {
    const m = evaluate('jian2017', 'FVC', { sex: 'male', ageYears: 50, heightCm: 172 }).predicted as number;
    const { records } = parseCsvRecords(interpretCsv([
      'sex,age,height_cm,spirometry_equation,fev1,fvc',
      `male,50,172,jian2017,${(0.6 * m).toFixed(3)},${m.toFixed(3)}`,
      `male,50,172,jian2017,${(0.81 * 0.85 * m).toFixed(3)},${(0.85 * m).toFixed(3)}`,
    ].join('\n')));
    expect(records[0]).toMatchObject({ pattern: 'obstruction', status: 'ok', fvc_z: '' });
    expect(records[0]?.message).toContain('FVC: Jian 2017 L (skewness) for this parameter and sex is unverified');
    expect(records[0]?.message).toContain('part of the pattern not determinable: FVC has no lower limit of normal, so mixed cannot be confirmed or excluded');
    expect(records[1]).toMatchObject({ pattern: '', severity: '', status: 'not_determined' });
    expect(records[1]?.message).toContain('pattern not determinable: FVC has no lower limit of normal, so possible_restriction cannot be confirmed or excluded');
    expect(records[1]?.narrative_zh).toMatch(/^一秒率正常，未见阻塞性通气功能障碍，限制性通气功能障碍无法判定（Jian 2017 男性FVC的L（偏度）参数未经核实，FVC无正常值下限）$/);
  });

  it('the Chinese scheme from the lab settings: its words, and FEV1 % predicted grades', () => {
    const lab: LabSettings = { ...DEFAULT_LAB_SETTINGS, interpretation: { ...DEFAULT_LAB_SETTINGS.interpretation, scheme: 'china2014' } };
    const fev1Pred = evaluate('gli2022', 'FEV1', { sex: 'male', ageYears: 60, heightCm: 170 }).predicted as number;
    const { records } = parseCsvRecords(interpretCsv(`sex,age,height_cm,fev1,fvc,tlc\nmale,60,170,${(0.55 * fev1Pred).toFixed(4)},4.0,6.5\n`, { lab }));
    expect(records[0]).toMatchObject({ scheme: 'china2014', pattern: 'obstruction', severity: 'moderately_severe', narrative_zh: '中重度阻塞性通气功能障碍' });
  });

  it('gas transfer through the CSV, with the Hb-corrected value and the columns computed from it', () => {
    const { records } = parseCsvRecords(interpretCsv('sex,age,height_cm,fev1,fvc,dlco_si,va,hb\nmale,45,172,3.3,4.2,4.5,4.5,\nmale,45,172,3.3,4.2,4.5,4.5,10\n'));
    expect(records[0]?.gas_transfer).toBe('reduced_mixed');
    expect(records[0]?.dlco_si_hb_corrected).toBe('');
    expect(Number(records[1]?.dlco_si_hb_corrected)).toBeCloseTo(4.5 * (20.22 / 17), 10);
    expect(Number(records[1]?.dlco_si_z)).toBeGreaterThan(Number(records[0]?.dlco_si_z));
    expect(records[1]?.message).toContain('use the Hb-corrected DLCO');
  });

  it('refuses FEV1 larger than FVC, and names an ignored ethnicity', () => {
    const { records } = parseCsvRecords(interpretCsv('sex,age,height_cm,ethnicity,fev1,fvc\nmale,45,172,,4.3,4.2\nmale,45,172,3,3.3,4.2\n'));
    expect(records[0]).toMatchObject({ status: 'refused', pattern: '', message: 'fev1 4.3 is larger than fvc 4.2: FEV1/FVC would be above 1' });
    expect(records[1]?.pattern).toBe('normal');
    expect(records[1]?.message).toBe('ethnicity "3" ignored: gli2022 takes no ethnic group');
  });
});
