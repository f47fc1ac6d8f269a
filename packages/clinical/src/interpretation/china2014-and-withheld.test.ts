import { describe, expect, it } from 'vitest';
import { lmsCentile } from '../lms.ts';
import { evaluate } from '../reference.ts';
import type { EquationId, ParamId, Subject } from '../types.ts';
import { classifyChina2014Pattern } from './china2014.ts';
import { classifyGasTransfer } from './gas-transfer.ts';
import { DEFAULT_LAB_SETTINGS, interpretExam, type ExamInput, type LabSettings } from './interpret.ts';

const man: Subject = { sex: 'male', ageYears: 45.37, heightCm: 172 };
const china: LabSettings = { ...DEFAULT_LAB_SETTINGS, interpretation: { ...DEFAULT_LAB_SETTINGS.interpretation, scheme: 'china2014' } };
const jian: LabSettings = { ...DEFAULT_LAB_SETTINGS, reference: { ...DEFAULT_LAB_SETTINGS.reference, defaults: { ...DEFAULT_LAB_SETTINGS.reference.defaults, spirometry: { equation: 'jian2017' } } } };
const jianChina: LabSettings = { ...jian, interpretation: china.interpretation };

const defaultEquation = (param: ParamId): EquationId =>
  ['TLCO_SI', 'VA', 'KCO_SI'].includes(param) ? 'gli2017' : ['TLC', 'RV', 'FRC'].includes(param) ? 'gli2021' : 'gli2022';
/** Measured value at a chosen z-score (states test intent in z, not litres). */
function atZ(param: ParamId, z: number, equation: EquationId = defaultEquation(param), subject: Subject = man): number {
  const r = evaluate(equation, param, subject);
  return lmsCentile(z, { l: r.l as number, m: r.m as number, s: r.s as number }) as number;
}
const predicted = (param: ParamId, equation: EquationId = 'gli2022', subject: Subject = man) => evaluate(equation, param, subject).predicted as number;

describe('Chinese 2014 scheme: its own pattern words (glossary "Conclusions"), exact narratives', () => {
  it('obstruction at each of the five FEV1 % predicted grades (轻度 ≥70, 中度 60–69, 中重度 50–59, 重度 35–49, 极重度 <35)', () => {
    const tlc = atZ('TLC', 0); // TLC measured and normal: obstruction, not mixed
    const grades: Array<[number, string, string]> = [
      [75, '轻度', 'Mild'], [65, '中度', 'Moderate'], [55, '中重度', 'Moderately severe'], [40, '重度', 'Severe'], [30, '极重度', 'Very severe'],
    ];
    for (const [pct, zh, en] of grades) {
      const fev1 = (pct / 100) * predicted('FEV1');
      const fvc = fev1 / atZ('FEV1FVC', -3.5);
      const result = interpretExam({ subject: man, fev1, fvc, tlc }, china);
      expect(result.results.FEV1?.pctPred).toBeCloseTo(pct, 9);
      expect(result.pattern).toBe('obstruction');
      expect(result.narrative.zh).toBe(`${zh}阻塞性通气功能障碍`);
      expect(result.narrative.en).toBe(`${en} obstructive ventilatory defect.`);
    }
  });

  it('boundaries: 70 % is 轻度, 69.9 % 中度, 35 % 重度, 34.9 % 极重度', () => {
    const tlc = atZ('TLC', 0);
    const zhAt = (pct: number) => {
      const fev1 = (pct / 100) * predicted('FEV1');
      return interpretExam({ subject: man, fev1, fvc: fev1 / atZ('FEV1FVC', -3.5), tlc }, china).narrative.zh;
    };
    expect([zhAt(70), zhAt(69.9), zhAt(35), zhAt(34.9)]).toEqual(['轻度阻塞性通气功能障碍', '中度阻塞性通气功能障碍', '重度阻塞性通气功能障碍', '极重度阻塞性通气功能障碍']);
  });

  it('restriction from spirometry (no TLC), as Chinese reports state it; no "possible restriction" or PRISm', () => {
    const fvc = atZ('FVC', -3);
    const fev1 = 0.62 * predicted('FEV1');
    const result = interpretExam({ subject: man, fev1, fvc }, china);
    expect(result.results.FEV1FVC?.zScore).toBeGreaterThan(-1.645);
    expect(result.pattern).toBe('restriction');
    expect(result.narrative.zh).toBe('中度限制性通气功能障碍');
    expect(result.narrative.en).toBe('Moderate restrictive ventilatory defect.');
    expect(result.findings.map((f) => f.code)).toContain('tlc_not_measured');
    // The same exam under ERS/ATS 2022 is "possible restriction".
    expect(interpretExam({ subject: man, fev1, fvc }).pattern).toBe('possible_restriction');
  });

  it('mixed: FEV1/FVC low with TLC low, and with low FVC and no TLC (configurable)', () => {
    const fvc = atZ('FVC', -3);
    const fev1 = 0.45 * predicted('FEV1');
    const withTlc = interpretExam({ subject: man, fev1, fvc, tlc: atZ('TLC', -2.5) }, china);
    expect([withTlc.pattern, withTlc.narrative.zh]).toEqual(['mixed', '重度混合性通气功能障碍']);
    expect(withTlc.narrative.en).toBe('Severe mixed ventilatory defect.');
    const withoutTlc = interpretExam({ subject: man, fev1, fvc }, china);
    expect(withoutTlc.narrative.zh).toBe('重度混合性通气功能障碍');
    const asObstruction = interpretExam({ subject: man, fev1, fvc }, { ...china, interpretation: { ...china.interpretation, china2014: { lowFvcWithObstructionWithoutTlc: 'obstruction' } } });
    expect(asObstruction.narrative.zh).toBe('重度阻塞性通气功能障碍');
  });

  it('normal, and small-airway dysfunction from MMEF/FEF50/FEF75 (two of three < 65 % predicted)', () => {
    const base = { subject: man, fvc: atZ('FVC', 0), fev1: atZ('FVC', 0) * atZ('FEV1FVC', 0) };
    const normal = interpretExam(base, china);
    expect([normal.pattern, normal.narrative.zh, normal.narrative.en]).toEqual(['normal', '肺通气功能正常', 'Normal ventilatory function.']);
    const sad = interpretExam({ ...base, mmefPctPred: 52, fef50PctPred: 60, fef75PctPred: 70 }, china);
    expect([sad.pattern, sad.smallAirwayDysfunction, sad.severity, sad.narrative.zh, sad.narrative.en]).toEqual(['small_airway_dysfunction', true, 'none', '小气道功能障碍', 'Small-airway dysfunction.']);
    const notSad = interpretExam({ ...base, mmefPctPred: 52, fef50PctPred: 70, fef75PctPred: 70 }, china);
    expect([notSad.pattern, notSad.smallAirwayDysfunction]).toEqual(['normal', false]);
    // ERS/ATS 2022 has no such category: a finding, not a pattern.
    const ats = interpretExam({ ...base, mmefPctPred: 52, fef50PctPred: 60 });
    expect(ats.pattern).toBe('normal');
    expect(ats.findings.map((f) => f.code)).toContain('small_airway_dysfunction');
  });

  it('small airways: our % predicted from the spirometry equation where it has MMEF/FEF75 (GLI-2012), else the device\'s', () => {
    const subject: Subject = { ...man, ethnicity: 3 };
    const lab: LabSettings = { ...china, reference: { ...china.reference, defaults: { ...china.reference.defaults, spirometry: { equation: 'gli2012', ethnicity: 3 } } } };
    const fvc = atZ('FVC', 0, 'gli2012', subject);
    const mmef = 0.5 * predicted('FEF2575', 'gli2012', subject);
    const fef75 = 0.5 * predicted('FEF75', 'gli2012', subject);
    // The device's 90 % for MMEF is overridden by ours (50 %); FEF50 only from the device.
    const result = interpretExam({ subject, fvc, fev1: fvc * atZ('FEV1FVC', 0, 'gli2012', subject), mmef, fef75, mmefPctPred: 90, fef50PctPred: 95 }, lab);
    expect(result.results.FEF2575?.pctPred).toBeCloseTo(50, 9);
    expect(result.results.FEF75?.pctPred).toBeCloseTo(50, 9);
    expect(result.pattern).toBe('small_airway_dysfunction');
  });

  it('low FVC with a measured normal TLC, and isolated low FEV1: described without the ERS/ATS terms', () => {
    const fvc = atZ('FVC', -2.2);
    const fev1 = 0.72 * predicted('FEV1');
    const result = interpretExam({ subject: man, fev1, fvc, tlc: atZ('TLC', -0.5) }, china);
    expect(result.pattern).toBe('non_specific');
    expect(result.narrative.zh).toBe('轻度通气功能障碍（一秒率正常，不符合阻塞性、限制性或混合性通气功能障碍的判断标准）');
    expect(result.narrative.zh).not.toMatch(/非特异性|PRISm|可能/);
    const isolated = classifyChina2014Pattern({ fev1FvcLow: false, fvcLow: false, fev1Low: true, tlcLow: null, smallAirwayDysfunction: null });
    expect(isolated.pattern).toBe('non_specific');
  });

  it('BDR by the baseline rule (≥ 12 % and ≥ 200 mL, FEV1 or FVC; glossary), with the Chinese words', () => {
    const tlc = atZ('TLC', 0);
    const fev1 = 0.65 * predicted('FEV1');
    const fvc = fev1 / atZ('FEV1FVC', -3.5);
    expect(fev1 * 0.15).toBeGreaterThan(0.2);
    const positive = interpretExam({ subject: man, fev1, fvc, tlc, postFev1: fev1 * 1.15, postFvc: fvc }, china);
    expect(positive.bdr?.rule).toBe('china2014');
    expect(positive.narrative.zh).toBe('中度阻塞性通气功能障碍，支气管舒张试验阳性');
    expect(positive.narrative.en).toBe('Moderate obstructive ventilatory defect; positive bronchodilator response.');
    const negative = interpretExam({ subject: man, fev1, fvc, tlc, postFev1: fev1 + 0.19, postFvc: fvc + 0.19 }, china);
    expect(negative.narrative.zh).toBe('中度阻塞性通气功能障碍，支气管舒张试验阴性');
  });
});

describe('Jian 2017, men: FVC limits withheld (open L question, clinical.md §5.5) — interpretation degrades honestly', () => {
  const jianFvc = () => predicted('FVC', 'jian2017');
  const jianRatioAt = (z: number) => atZ('FEV1FVC', z, 'jian2017');
  const why = 'Jian 2017 男性FVC的L（偏度）参数未经核实，FVC无正常值下限';
  const whyEn = 'the Jian 2017 L (skewness) for FVC in men is unverified; no lower limit of normal for FVC';

  it('the FVC of a man has M and % predicted but no LLN or z', () => {
    const r = interpretExam({ subject: man, fvc: jianFvc(), fev1: jianFvc() * jianRatioAt(0) }, jian).results.FVC;
    expect([r?.lln, r?.zScore]).toEqual([null, null]);
    expect(r?.pctPred).toBeCloseTo(100, 9);
  });

  it('obstruction is decided from FEV1/FVC alone, graded by FEV1; a mixed defect is left open and named', () => {
    const fvc = 0.9 * jianFvc();
    const result = interpretExam({ subject: man, fvc, fev1: fvc * jianRatioAt(-4) }, jian);
    expect(result.pattern).toBe('obstruction');
    const fev1Z = result.results.FEV1?.zScore as number;
    expect(fev1Z).toBeLessThan(-1.645);
    const word = fev1Z >= -2.5 ? ['轻度', 'Mild'] : fev1Z >= -4 ? ['中度', 'Moderate'] : ['重度', 'Severe'];
    expect(result.undetermined).toMatchObject({ param: 'FVC', equation: 'Jian 2017', why: 'unverified_l', conclusions: ['mixed'] });
    expect(result.narrative.zh).toBe(`${word[0]}阻塞性通气功能障碍，混合性通气功能障碍无法判定（${why}）`);
    expect(result.narrative.en).toBe(`${word[1]} obstructive ventilatory defect; a mixed defect cannot be determined (${whyEn}).`);
    expect(result.findings.find((f) => f.code === 'conclusions_not_determinable')?.values).toMatchObject({ param: 'FVC', conclusions: 'mixed' });
  });

  it('with a normal ratio and no TLC: no pattern; restriction (and PRISm when FEV1 is low) named as not determinable', () => {
    const fvc = 0.85 * jianFvc();
    const normalFev1 = interpretExam({ subject: man, fvc, fev1: fvc * jianRatioAt(0.5) }, jian);
    expect(normalFev1.results.FEV1?.zScore).toBeGreaterThan(-1.645);
    expect(normalFev1.pattern).toBeNull();
    expect(normalFev1.severity).toBe('none');
    expect(normalFev1.narrative.zh).toBe(`一秒率正常，未见阻塞性通气功能障碍，限制性通气功能障碍无法判定（${why}）`);
    expect(normalFev1.narrative.en).toBe(`FEV1/FVC within normal limits, no obstruction; possible restriction cannot be determined (${whyEn}).`);
    expect(normalFev1.findings.find((f) => f.code === 'pattern_not_determinable')?.values).toMatchObject({ param: 'FVC', possiblePatterns: 'possible_restriction,normal' });

    const lowFev1 = interpretExam({ subject: man, fvc: 0.6 * jianFvc(), fev1: 0.6 * jianFvc() * jianRatioAt(0) }, jian);
    expect(lowFev1.results.FEV1?.zScore).toBeLessThan(-1.645);
    expect(lowFev1.pattern).toBeNull();
    expect(lowFev1.narrative.zh).toBe(`一秒率正常，未见阻塞性通气功能障碍，FEV1低于正常值下限，限制性通气功能障碍、保留比值的肺功能受损（PRISm）无法判定（${why}）`);
  });

  it('under the Chinese scheme the open conclusions use its words', () => {
    const fvc = 0.85 * jianFvc();
    const result = interpretExam({ subject: man, fvc, fev1: fvc * jianRatioAt(0.5) }, jianChina);
    expect(result.pattern).toBeNull();
    expect(result.narrative.zh).toBe(`一秒率正常，未见阻塞性通气功能障碍，限制性通气功能障碍无法判定（${why}）`);
    const obstructed = interpretExam({ subject: man, fvc: jianFvc(), fev1: 0.55 * predicted('FEV1', 'jian2017') }, jianChina);
    expect(obstructed.pattern).toBe('obstruction');
    expect(obstructed.narrative.zh).toMatch(/^中重度阻塞性通气功能障碍，混合性通气功能障碍无法判定（/);
  });

  it('a measured TLC decides what FVC cannot: low TLC is restriction, graded by TLC', () => {
    const fvc = 0.7 * jianFvc();
    const result = interpretExam({ subject: man, fvc, fev1: fvc * jianRatioAt(0.5), tlc: atZ('TLC', -3) }, jian);
    expect([result.pattern, result.severity, result.undetermined]).toEqual(['restriction', 'moderate', null]);
    expect(result.narrative.zh).toBe('中度限制性通气功能障碍');
  });

  it('women are not affected', () => {
    const woman: Subject = { sex: 'female', ageYears: 45, heightCm: 160 };
    const fvc = atZ('FVC', -2.5, 'jian2017', woman);
    const result = interpretExam({ subject: woman, fvc, fev1: fvc * atZ('FEV1FVC', 0.3, 'jian2017', woman) }, jian);
    expect([result.pattern, result.undetermined]).toEqual(['possible_restriction', null]);
  });
});

describe('NHANES III under the z-score scheme: severity not graded, and said so', () => {
  it('names the reason in both narratives and a finding', () => {
    const subject: Subject = { ...man, ethnicity: 'caucasian' };
    const nhanes = evaluate('nhanes3', 'FEV1', subject);
    const fvc = evaluate('nhanes3', 'FVC', subject).predicted as number;
    const input: ExamInput = { subject, spirometryEquation: { equation: 'nhanes3' }, fvc, fev1: 0.55 * fvc };
    const result = interpretExam(input);
    expect(nhanes.zScore).toBeNull();
    expect(result.pattern).toBe('obstruction');
    expect(result.severity).toBe('none');
    expect(result.narrative.zh).toBe('阻塞性通气功能障碍，严重程度未分级（NHANES III无Z值）');
    expect(result.narrative.en).toBe('Obstructive ventilatory defect; severity not graded (NHANES III defines no z-score).');
    expect(result.findings.find((f) => f.code === 'severity_not_gradable')?.values).toMatchObject({ param: 'FEV1', equation: 'nhanes3' });
    // The Chinese scheme grades NHANES III by % predicted.
    const graded = interpretExam(input, china);
    expect(graded.severity).not.toBe('none');
    expect(graded.narrative.zh).not.toMatch(/未分级/);
  });
});

describe('gas transfer: all seven categories (clinical.md §9.5)', () => {
  const r = (param: ParamId, z: number | null) => {
    const result = evaluate('gli2017', param, man, z === null ? null : atZ(param, z, 'gli2017'));
    return result;
  };
  const cases: Array<[string, number, number | null, number | null, string]> = [
    ['TLCO within limits', 0, 0, 0, 'normal'],
    ['TLCO low, VA/KCO not measured', -2, null, null, 'reduced'],
    ['TLCO low, VA normal, KCO low', -3, 0, -2.5, 'reduced_parenchymal_vascular'],
    ['TLCO low, VA low, KCO normal', -3, -3, 0, 'reduced_low_va'],
    ['TLCO low, VA low, KCO high', -3, -3, 2, 'reduced_low_va'],
    ['TLCO low, VA low, KCO low', -3, -2, -2, 'reduced_mixed'],
    ['TLCO low, VA normal, KCO normal', -2, 0, 0, 'reduced_unexplained'],
    ['TLCO high', 2, 0, 0, 'elevated'],
  ];
  for (const [name, tlcoZ, vaZ, kcoZ, category] of cases) {
    it(`${name} → ${category}`, () => {
      const result = classifyGasTransfer(r('TLCO_SI', tlcoZ), vaZ === null ? null : r('VA', vaZ), kcoZ === null ? null : r('KCO_SI', kcoZ));
      expect(result?.category).toBe(category);
      expect(result?.severity).toBe(tlcoZ < -1.645 ? (tlcoZ >= -2.5 ? 'mild' : 'moderate') : 'none');
    });
  }

  it('through interpretExam: reduced_mixed and reduced_unexplained with their narratives', () => {
    const spiro = { fvc: atZ('FVC', 0), fev1: atZ('FVC', 0) * atZ('FEV1FVC', 0) };
    // KCO = TLCO / VA: both low with VA at z −2 and TLCO at z −3.5.
    const mixedVa = atZ('VA', -2, 'gli2017');
    const mixed = interpretExam({ subject: man, ...spiro, dlcoSi: atZ('TLCO_SI', -3.5, 'gli2017'), va: mixedVa });
    expect(mixed.results.KCO_SI?.zScore).toBeLessThan(-1.645);
    expect(mixed.gasTransfer?.category).toBe('reduced_mixed');
    expect(mixed.narrative.zh).toBe('肺通气功能正常，中度弥散功能障碍（肺泡容积及比弥散量均降低）');
    // VA normal, KCO normal, TLCO just low: TLCO at z −1.8 with VA a little low but within limits.
    const va = atZ('VA', -1.2, 'gli2017');
    const unexplained = interpretExam({ subject: man, ...spiro, dlcoSi: atZ('TLCO_SI', -1.8, 'gli2017'), va });
    expect(unexplained.results.VA?.zScore).toBeGreaterThan(-1.645);
    expect(unexplained.results.KCO_SI?.zScore).toBeGreaterThan(-1.645);
    expect(unexplained.gasTransfer?.category).toBe('reduced_unexplained');
    expect(unexplained.narrative.en).toBe('Normal spirometry; mild reduction of gas transfer with normal VA and KCO.');
  });
});
