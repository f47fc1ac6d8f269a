import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { recognise } from './recognise.js';

const samples = path.resolve(import.meta.dirname, '../../../../../../shared/samples');
const haveSamples = existsSync(samples);
if (!haveSamples) console.warn(`${samples} is missing: the device sample parsing tests are skipped (../shared/samples is beside the repository in CI).`);
const sample = (name: string) => new Uint8Array(readFileSync(path.join(samples, name)));

async function read(bytes: Uint8Array) {
  const result = await recognise(bytes);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

// Expected values are read off the sample files themselves (../shared/samples/hl7v2, ndd-easyone-xml).
describe.skipIf(!haveSamples)('device samples, every value checked against the file', () => {
  it('LUNGTEST spirometry ORU: values, % predicted beside their value, order numbers, conclusion', async () => {
    const r = await read(sample('hl7v2/pl_mes_lungtest_oru_r01_spiro_result.hl7'));
    expect(r.identifiers).toMatchObject({ requestNo: '28456-1-100', accessionNo: 'LT-2022-0315-001' });
    expect(r.measurements.map((m) => [m.param, m.stage, m.value, m.unit, m.pctPred])).toEqual([
      ['FVC', 'pre', 4.52, 'L', 98],
      ['FEV1', 'pre', 3.78, 'L', 95],
      ['FEV1FVC', 'pre', 0.836, null, null],
      ['PEF', 'pre', 9.12, 'L/s', null],
      ['FEF2575', 'pre', 3.45, 'L/s', null],
    ]);
    expect(r.test).toMatchObject({ type: 'spirometry', measuredAt: '20220315093000', device: 'LUNGTEST' });
    expect(r.conclusion).toBe('Spirometria prawidłowa. Brak cech obturacji. FVC i FEV1 w normie.');
  });

  it('LUNGTEST bronchodilator ORU (declared CP1250, stored as UTF-8): patient, pre and post stages, FEV1 change', async () => {
    const r = await read(sample('hl7v2/pl_mes_lungtest_oru_r01_bronchodilator_cp1250.hl7'));
    expect(r.patient).toMatchObject({ name: 'Bukowska Sylwia', sex: 'F', birthDate: '1990-05-05', id: '3344' });
    expect(r.test.type).toBe('bronchodilator');
    expect(r.measurements.map((m) => [m.param, m.stage, m.value])).toEqual([
      ['FVC', 'pre', 3.21], ['FEV1', 'pre', 2.15], ['FEV1FVC', 'pre', 0.67], ['FVC', 'post', 3.45], ['FEV1', 'post', 2.58], ['FEV1FVC', 'post', 0.748],
    ]);
    expect(r.measurements.find((m) => m.param === 'FEV1' && m.stage === 'post')?.changePct).toBe(20);
    expect(r.conclusion).toContain('Próba rozkurczowa DODATNIA');
  });

  it('LUNGTEST DLCO ORU: transfer factor, KCO and VA with the device % predicted', async () => {
    const r = await read(sample('hl7v2/pl_mes_lungtest_oru_r01_dlco.hl7'));
    expect(r.measurements.map((m) => [m.param, m.value, m.unit, m.pctPred])).toEqual([
      ['DLCO_trad', 7.82, 'mmol/min/kPa', 85], ['KCO_SI', 1.45, 'mmol/min/kPa/L', null], ['VA', 5.39, 'L', null],
    ]);
  });

  it('Irish LOINC ORU: follows the codes, not the mislabelled texts (19872-1 is FVC measured/predicted)', async () => {
    const r = await read(sample('hl7v2/ie_pulmsys_oru_r01_spirometry_loinc.hl7'));
    expect(r.patient).toMatchObject({ sex: 'M', birthDate: '1967-04-28', id: 'BSH-998811' });
    expect(r.identifiers).toMatchObject({ requestNo: 'HELORD20250730001', accessionNo: 'BSHPFT20250730001' });
    const fev1 = r.measurements.find((m) => m.param === 'FEV1');
    const fvc = r.measurements.find((m) => m.param === 'FVC');
    expect([fev1?.value, fev1?.pctPred, fvc?.value, fvc?.pctPred]).toEqual([1.82, 52, 3.45, 53]);
    expect(r.measurements.some((m) => m.param === 'FEV1FVC')).toBe(false);
    expect(r.conclusion).toMatch(/^Moderate obstructive pattern/);
  });

  it('ndd EasyOne export: patient, order, device, quality grade, best values with predicted and LLN, three curves', async () => {
    const r = await read(sample('ndd-easyone-xml/CypressOut.xml'));
    expect(r.patient).toMatchObject({ id: '12345678', sex: 'M', birthDate: '1994-09-25', heightCm: 180, weightKg: 109 });
    expect(r.identifiers.accessionNo).toBe('1');
    expect(r.test).toMatchObject({ type: 'spirometry', measuredAt: '2022-03-28T13:27:41.799', deviceSerial: '204348', qualityGrade: 'A' });
    expect(r.measurements.find((m) => m.param === 'FVC')).toMatchObject({ stage: 'pre', value: 4.9744887948036194, unit: 'L', predicted: 5.6674998733215034, lln: 4.7124998946674168 });
    expect(r.trials).toHaveLength(3);
  });
});

describe('GDT 6310', () => {
  const gdt = (fields: Array<[string, string]>) => new Uint8Array(iconv.encode(fields.map(([f, c]) => `${String(9 + iconv.encode(c, 'gbk').length).padStart(3, '0')}${f}${c}\r\n`).join(''), 'gbk'));

  it('reads the patient, the post stage from the test id, the limits and the findings', async () => {
    const r = await read(gdt([
      ['8000', '6310'], ['3000', 'P42'], ['3101', '张'], ['3102', '三'], ['3103', '01021960'], ['3110', '1'], ['3622', '171'], ['8413', 'ACC-1'], ['6200', '25112026'], ['6201', '093000'],
      ['8410', 'FEV1'], ['8420', '2,31'], ['8421', 'L'], ['8461', '2,40'], ['8462', '4,10'],
      ['8410', 'FEV1_POST'], ['8420', '2,62'], ['8421', 'L'],
      ['6220', '轻度阻塞性通气功能障碍'],
    ]));
    expect(r.patient).toMatchObject({ name: '张三', sex: 'M', birthDate: '1960-02-01', heightCm: 171 });
    expect(r.identifiers).toMatchObject({ accessionNo: 'ACC-1', patientId: 'P42' });
    expect(r.test).toMatchObject({ type: 'bronchodilator', measuredAt: '2026-11-25T09:30:00' });
    expect(r.measurements.map((m) => [m.param, m.stage, m.value, m.rawValue, m.lln, m.uln])).toEqual([['FEV1', 'pre', 2.31, '2,31', 2.4, 4.1], ['FEV1', 'post', 2.62, '2,62', null, null]]);
    expect(r.conclusion).toBe('轻度阻塞性通气功能障碍');
  });
});

it('refuses a PDF without a document reader, and an unknown file, with a reason', async () => {
  expect(await recognise(new TextEncoder().encode('%PDF-1.7\n'))).toEqual({ ok: false, reason: 'pdf files need a document reader', format: 'pdf' });
  expect(await recognise(new TextEncoder().encode('hello'))).toEqual({ ok: false, reason: 'not a recognised device file', format: 'unknown' });
});
