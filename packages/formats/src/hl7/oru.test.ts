import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOru } from './oru.ts';

const samples = path.resolve(import.meta.dirname, '../../../../../shared/samples/hl7v2');
const haveSamples = existsSync(samples);
if (!haveSamples) console.warn(`${samples} is missing: the HL7 ORU sample tests are skipped (../shared/samples is beside the repository in CI).`);
const sample = (name: string) => new Uint8Array(readFileSync(path.join(samples, name)));

describe.skipIf(!haveSamples)('HL7 ORU^R01 results from the shared samples (values checked against the files)', () => {
  it('reads the LUNGTEST spirometry result: local codes, percent ratio as a fraction, % predicted kept apart', () => {
    const result = readOru(sample('pl_mes_lungtest_oru_r01_spiro_result.hl7'));
    if (!result.ok) throw new Error(result.reason);
    const r = result.value;
    expect(r).toMatchObject({ sendingApplication: 'LUNGTEST', placerOrderNo: '28456-1-100', fillerOrderNo: 'LT-2022-0315-001', messageControlId: 'LT20220315094500' });
    const byParam = Object.fromEntries(r.observations.filter((o) => o.param).map((o) => [o.param, o.value]));
    expect(byParam).toEqual({ FVC: 4.52, FEV1: 3.78, FEV1FVC: 0.836, PEF: 9.12, FEF2575: 3.45 });
    expect(r.observations.filter((o) => o.kind === 'percent-predicted').map((o) => [o.code, o.value])).toEqual([['FVC_PRED', 98], ['FEV1_PRED', 95]]);
    expect(r.interpretation).toBe('Spirometria prawidłowa. Brak cech obturacji. FVC i FEV1 w normie.');
  });

  it('reads pre and post bronchodilator values from the message that claims CP1250 but is UTF-8', () => {
    const result = readOru(sample('pl_mes_lungtest_oru_r01_bronchodilator_cp1250.hl7'));
    if (!result.ok) throw new Error(result.reason);
    const r = result.value;
    expect(r.declaredCharset).toBe('CP1250');
    expect(r.patientName).toBe('Bukowska Sylwia');
    const values = r.observations.filter((o) => o.param).map((o) => [o.param, o.stage, o.value]);
    expect(values).toEqual([
      ['FVC', 'pre', 3.21], ['FEV1', 'pre', 2.15], ['FEV1FVC', 'pre', 0.67],
      ['FVC', 'post', 3.45], ['FEV1', 'post', 2.58], ['FEV1FVC', 'post', 0.748],
    ]);
    expect(r.observations.find((o) => o.kind === 'change')?.value).toBe(20);
    expect(r.interpretation).toContain('Próba rozkurczowa DODATNIA');
  });

  it('maps LOINC codes by what they mean, not by the sample’s wrong labels', () => {
    const result = readOru(sample('ie_pulmsys_oru_r01_spirometry_loinc.hl7'));
    if (!result.ok) throw new Error(result.reason);
    const r = result.value;
    expect(r.patientId).toBe('BSH-998811');
    expect(r.observations.filter((o) => o.param).map((o) => [o.code, o.param, o.value])).toEqual([['20150-9', 'FEV1', 1.82], ['19868-9', 'FVC', 3.45]]);
    // 19872-1 is labelled "FEV1/FVC ratio" in the sample but is FVC measured/predicted.
    expect(r.observations.find((o) => o.code === '19872-1')).toMatchObject({ param: null, kind: 'percent-predicted' });
    expect(r.interpretation).toMatch(/^Moderate obstructive pattern/);
  });

  it('refuses other messages with a reason', () => {
    expect(readOru(sample('pl_mes_lungtest_orm_o01_spiro_order.hl7'))).toEqual({ ok: false, reason: 'message type ORM^O01, expected ORU^R01' });
    expect(readOru('not hl7')).toEqual({ ok: false, reason: 'no MSH segment' });
  });
});
