import type { PrintoutInput } from './input.js';

/** A bronchodilator test, values at the precision every layout prints (volumes and flows 2 dp, ratios 2 dp). */
export const SAMPLE_PRINTOUT: PrintoutInput = {
  institution: '北京协和示范医院 Pulmonary Function Laboratory',
  patient: { name: '王建国', id: 'P00012345', sex: 'M', birthDate: '1961-03-12', age: 64, heightCm: 172, weightKg: 71 },
  identifiers: { accessionNo: 'ACC20250506001', requestNo: 'SQ2025050600123', outpatientSerial: 'MZ202505060088', inpatientSerial: null },
  test: { measuredAt: '2025-05-06T15:59:33', operator: 'Li Na', device: 'MasterScreen PFT', deviceSerial: 'SN-7781', qualityGrade: 'A' },
  results: [
    { param: 'FVC', predicted: 3.92, lln: 3.05, pre: 3.41, preZ: -1.02, prePctPred: 87, post: 3.6, postZ: -0.68, postPctPred: 92, changePct: 6 },
    { param: 'FEV1', predicted: 3.01, lln: 2.3, pre: 1.98, preZ: -2.31, prePctPred: 66, post: 2.21, postZ: -1.77, postPctPred: 73, changePct: 12 },
    { param: 'FEV1FVC', predicted: 0.77, lln: 0.66, pre: 0.58, preZ: -2.85, prePctPred: 75, post: 0.61, postZ: -2.52, postPctPred: 79, changePct: 5 },
    { param: 'PEF', predicted: 8.33, lln: 6.12, pre: 6.05, preZ: -1.71, prePctPred: 73, post: 6.47, postZ: -1.4, postPctPred: 78, changePct: 7 },
    { param: 'FEF2575', predicted: 2.86, lln: 1.62, pre: 1.12, preZ: -2.4, prePctPred: 39, post: 1.35, postZ: -2.05, postPctPred: 47, changePct: 21 },
    { param: 'FEF75', predicted: 0.92, lln: 0.41, pre: 0.33, preZ: -1.9, prePctPred: 36, post: null, postZ: null, postPctPred: null, changePct: null },
  ],
  conclusion: 'Moderate obstructive ventilatory defect.\nSignificant bronchodilator response (FEV1 +12 %, +230 mL).',
};

/** The same test as a Chinese device prints it. */
export const SAMPLE_PRINTOUT_ZH: PrintoutInput = {
  ...SAMPLE_PRINTOUT,
  conclusion: '肺通气功能：中度阻塞性通气功能障碍；\n支气管舒张试验阳性（FEV1改善率12%，绝对值增加230 mL）。',
  test: { ...SAMPLE_PRINTOUT.test, operator: '李娜', device: 'PF-8000 肺功能仪' },
  identifiers: { ...SAMPLE_PRINTOUT.identifiers, inpatientSerial: 'ZY20250506017' },
};
