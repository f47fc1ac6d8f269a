import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type DemoHis, devicePrintout, openDemoHis, type PrintoutInput } from '@pftis/his-sim';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

const samplePath = path.resolve(import.meta.dirname, '../../../../../../shared/samples/ndd-easyone-xml/CypressOut.xml');
const haveSample = existsSync(samplePath);
if (!haveSample) console.warn(`${samplePath} is missing: the real ndd result file test is skipped (../shared/samples is beside the repository in CI).`);

/** A small ndd EasyOne TestResult, as the device writes it (UTF-16 LE with BOM). */
function nddResult(orderId: string, patientId: string, fev1: number) {
  const xml = `<?xml version="1.0" encoding="utf-16"?>
<ndd Version="ndd.EasyWarePro.V1"><Command Type="TestResult"/><Patients><Patient ID="${patientId}"><PatientDataAtPresent><Height>1.7</Height></PatientDataAtPresent>
<Intervals><Interval><OrderID>${orderId}</OrderID><Tests><Test TypeOfTest="FVC"><TestDate>2026-11-25T09:30:00.000</TestDate>
<BestValues><ResultParameter ID="FEV1"><DataValue>${fev1}</DataValue><Unit>L</Unit><PredictedValue>3.1</PredictedValue><LLNormalValue>2.5</LLNormalValue></ResultParameter>
<ResultParameter ID="FEV1_FVC"><DataValue>0.71</DataValue><Unit></Unit><PredictedValue>NaN</PredictedValue><LLNormalValue>NaN</LLNormalValue></ResultParameter></BestValues>
<QualityGrade>A</QualityGrade><Device><SerialNumber>204348</SerialNumber></Device></Test></Tests></Interval></Intervals></Patient></Patients></ndd>`;
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

function gdtResult(fields: Array<[string, string]>) {
  return iconv.encode(fields.map(([f, c]) => `${String(3 + 4 + iconv.encode(c, 'gbk').length + 2).padStart(3, '0')}${f}${c}\r\n`).join(''), 'gbk');
}

describe.each(backends)('device results in (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let tech: Client;
  const upload = (bytes: Uint8Array, name: string) =>
    t.app.inject({ method: 'POST', url: `/api/device-import/files?name=${encodeURIComponent(name)}`, payload: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream', cookie: tech.cookie, 'x-csrf-token': tech.csrfToken } });
  const registered = async (offset: number) => {
    const order = (await demo.pglite.query<{ sqdh: string; brid: string }>(`SELECT sqdh, brid FROM V_PFT_APPLY WHERE zt = '0' ORDER BY sqdh LIMIT 1 OFFSET ${offset}`)).rows[0]!;
    const { exams } = (await tech.request('POST', '/api/exams', { requestNos: [order.sqdh] })).json();
    return { ...exams[0], brid: order.brid } as { examId: string; accessionNo: string; brid: string };
  };

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite } });
    const campus = await given(t).campus('MAIN');
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campus.id] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  it('imports an ndd result bound by its OrderID, keeps the raw file, and recognises it when it comes again', async () => {
    const exam = await registered(0);
    const bytes = nddResult(exam.accessionNo, exam.brid, 2.43);
    const first = await upload(bytes, 'result.xml');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ status: 'imported', duplicate: false });
    const values = (await tech.request('GET', `/api/exams/${exam.examId}/measurements`)).json();
    expect(values).toEqual([
      expect.objectContaining({ param: 'FEV1', deviceParam: 'FEV1', value: 2.43, unit: 'L', devicePredicted: 3.1, deviceLln: 2.5, qualityGrade: 'A' }),
      expect.objectContaining({ param: 'FEV1FVC', value: 0.71, devicePredicted: null }),
    ]);
    const again = await upload(bytes, 'copy-of-result.xml');
    expect(again.json()).toEqual({ fileId: first.json().fileId, status: 'imported', duplicate: true });
    expect(await t.database.db.selectFrom('measurementSet').select('id').where('examId', '=', exam.examId).execute()).toHaveLength(1);
    const exams = await t.database.db.selectFrom('exam').select('status').where('id', '=', exam.examId).executeTakeFirstOrThrow();
    expect(exams.status).toBe('results');
    const stored = await t.database.db.selectFrom('rawFile').select(['sha256', 'sizeBytes']).where('id', '=', first.json().fileId).executeTakeFirstOrThrow();
    expect(stored.sizeBytes).toBe(bytes.length);
  });

  it('binds a GDT 6310 result by the patient when it is the only open exam of the day', async () => {
    const exam = await registered(1);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).split('-').reverse().join('');
    const bytes = gdtResult([['8000', '6310'], ['3000', exam.brid], ['6200', today], ['8410', 'FEV1'], ['8420', '1,98'], ['8421', 'L'], ['8410', 'FVC'], ['8420', '3,05'], ['8421', 'L']]);
    expect((await upload(bytes, `${exam.brid}.gdt`)).json().status).toBe('imported');
    const values = (await tech.request('GET', `/api/exams/${exam.examId}/measurements`)).json();
    expect(values.map((v: { param: string; value: number }) => [v.param, v.value])).toEqual([['FEV1', 1.98], ['FVC', 3.05]]);
  });

  it('imports an HL7 ORU result bound by the 申请单号 in its placer number', async () => {
    const exam = await registered(4);
    const requestNo = (await t.database.db.selectFrom('exam').select('requestNo').where('id', '=', exam.examId).executeTakeFirstOrThrow()).requestNo!;
    const message = [
      'MSH|^~\\&|LUNGTEST|PFT|PFTIS|HOSP|20261125100000||ORU^R01|M1|P|2.4',
      `PID|1||${exam.brid}`,
      `ORC|RE|${requestNo}|`,
      `OBX|1|NM|FEV1^FEV1^L||2,31|L||N|||F`,
      'OBX|2|NM|FEV1_FVC^FEV1/FVC^L||71.5|%||N|||F',
      'OBX|3|FT|INTERP^结论||轻度阻塞性通气功能障碍||||||F',
    ].join('\r');
    expect((await upload(new TextEncoder().encode(message), 'result.hl7')).json().status).toBe('imported');
    const values = (await tech.request('GET', `/api/exams/${exam.examId}/measurements`)).json();
    expect(values.map((v: { param: string; value: number }) => [v.param, v.value])).toEqual([['FEV1', 2.31], ['FEV1FVC', 0.715]]);
  });

  it('quarantines what it cannot read, with the reason, and keeps it for reprocessing', async () => {
    const junk = await upload(new TextEncoder().encode('this is not a device file'), 'notes.txt');
    expect(junk.json().status).toBe('quarantined');
    const truncated = nddResult('X', 'Y', 1).subarray(0, 300);
    const broken = await upload(truncated, 'broken.xml');
    expect(broken.json().status).toBe('quarantined');
    const list = (await tech.request('GET', '/api/device-import/files?status=quarantined')).json();
    expect(list.find((f: { id: string }) => f.id === junk.json().fileId)).toMatchObject({ reason: 'not a recognised device file', format: 'unknown' });
    expect(list.find((f: { id: string }) => f.id === broken.json().fileId).reason).toMatch(/^ndd XML: /);
    expect((await tech.request('POST', `/api/device-import/files/${junk.json().fileId}/reprocess`)).json()).toEqual({ status: 'quarantined' });
  });

  it('leaves a result it cannot place as unmatched (待匹配) until a person binds it', async () => {
    const exam = await registered(2);
    const orphan = await upload(nddResult('UNKNOWN-ORDER', 'NO-SUCH-PATIENT', 3.33), 'orphan.xml');
    expect(orphan.json().status).toBe('unmatched');
    const bound = await tech.request('POST', `/api/device-import/files/${orphan.json().fileId}/bind`, { examId: exam.examId });
    expect(bound.json()).toEqual({ status: 'imported' });
    expect((await tech.request('POST', `/api/device-import/files/${orphan.json().fileId}/bind`, { examId: exam.examId })).statusCode).toBe(409);
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'detail']).where('entityId', '=', exam.examId).where('action', '=', 'device-file.imported').executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ bound: 'by hand' });
  });

  it.skipIf(!haveSample)('imports the real ndd EasyOne export (CypressOut.xml) with its device values', async () => {
    const exam = await registered(3);
    // The sample's patient is a man born 1994-09-25; the HIS patient of this exam is given the same identity.
    const patient = await t.database.db.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select('patient.id').where('exam.id', '=', exam.examId).executeTakeFirstOrThrow();
    await t.database.db.updateTable('patient').set({ sex: 'male', birthDate: '1994-09-25' }).where('id', '=', patient.id).execute();
    const text = iconv.decode(readFileSync(samplePath), 'utf16le').replace('<OrderID>1</OrderID>', `<OrderID>${exam.accessionNo}</OrderID>`);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/^\uFEFF/, ''), 'utf16le')]);
    expect((await upload(bytes, 'CypressOut.xml')).json().status).toBe('imported');
    const values = (await tech.request('GET', `/api/exams/${exam.examId}/measurements`)).json();
    expect(values.find((v: { param: string }) => v.param === 'FVC')).toMatchObject({ value: 4.9744887948036194, devicePredicted: 5.6674998733215034, deviceLln: 4.7124998946674168 });
    expect(values.length).toBeGreaterThan(50);
  });

  it('never binds a result silently when the patient differs from the HIS, and ranks the exams a person can bind it to', async () => {
    const exam = await registered(4);
    const his = await t.database.db.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select(['patient.sex', 'patient.name']).where('exam.id', '=', exam.examId).executeTakeFirstOrThrow();
    const otherSex = his.sex === 'male' ? 'Female' : 'Male';
    const xml = iconv.decode(nddResult(exam.accessionNo, exam.brid, 2.2), 'utf16le').replace('<Height>', `<Gender>${otherSex}</Gender><Height>`);
    const file = (await upload(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace(/^\uFEFF/, ''), 'utf16le')]), 'other-sex.xml')).json();
    expect(file.status).toBe('unmatched');
    const listed = (await tech.request('GET', '/api/device-import/files?status=unmatched')).json().find((f: { id: string }) => f.id === file.fileId);
    expect(listed.reason).toMatch(/^identity differs from the HIS for accession number .*: sex [MF] ≠ [MF]$/);

    const { candidates } = (await tech.request('GET', `/api/device-import/files/${file.fileId}/candidates`)).json();
    expect(candidates[0]).toMatchObject({ examId: exam.examId, reasons: expect.arrayContaining(['accession', 'patient-id']), conflicts: [{ field: 'sex', device: otherSex[0], his: his.sex === 'male' ? 'M' : 'F' }] });
    expect(candidates.slice(1).every((c: { score: number }) => c.score < candidates[0].score)).toBe(true);

    const refused = await tech.request('POST', `/api/device-import/files/${file.fileId}/bind`, { examId: exam.examId });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'device-import.identity-conflict' });
    expect((await tech.request('POST', `/api/device-import/files/${file.fileId}/bind`, { examId: exam.examId, acceptConflicts: true })).json()).toEqual({ status: 'imported' });
    const audits = await t.database.db.selectFrom('auditLog').select('detail').where('entityId', '=', exam.examId).where('action', '=', 'device-file.imported').execute();
    expect(audits.find((a) => (a.detail as { fileId: string }).fileId === file.fileId)?.detail).toMatchObject({ bound: 'by hand', acceptedConflicts: [{ field: 'sex' }] });
  });

  it('computes our reference values on import beside the device\'s own and flags the differences beyond rounding', async () => {
    const exam = await registered(5);
    const fvc = '<ResultParameter ID="FVC"><DataValue>3.6</DataValue><Unit>L</Unit><PredictedValue>4.0</PredictedValue><LLNormalValue>3.2</LLNormalValue></ResultParameter>';
    const xml = iconv.decode(nddResult(exam.accessionNo, exam.brid, 2.5), 'utf16le').replace('<BestValues>', `<BestValues>${fvc}`).replace(/^\uFEFF/, '');
    expect((await upload(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]), 'compared.xml')).json().status).toBe('imported');
    const [set] = (await tech.request('GET', `/api/exams/${exam.examId}/device-results`)).json();
    // The fixture's device predicted FEV1 of 3.1 L is not what any equation gives this patient: flagged, with ours beside it.
    const fev1 = set.comparison.rows.find((r: { param: string }) => r.param === 'FEV1');
    expect(fev1.device).toEqual({ predicted: 3.1, lln: 2.5 });
    expect(fev1.ours.predicted).toBeGreaterThan(0);
    expect(fev1.differs).toEqual(expect.arrayContaining(['predicted']));
    expect(set.comparison.flagged).toBeGreaterThanOrEqual(1);
    expect(set.comparison.equations.length).toBeGreaterThan(0);
  });

  /** A device printout for the exam's HIS patient, as the Chinese device or the EasyOne software prints it. */
  async function printout(exam: { examId: string; accessionNo: string; brid: string }, layout: 'chinese-nonembedded' | 'easyone') {
    const p = await t.database.db.selectFrom('exam').innerJoin('patient', 'patient.id', 'exam.patientId').select(['patient.name', 'patient.sex', 'patient.birthDate']).where('exam.id', '=', exam.examId).executeTakeFirstOrThrow();
    const input: PrintoutInput = {
      institution: '测试医院',
      patient: { name: p.name, id: exam.brid, sex: p.sex === 'female' ? 'F' : 'M', birthDate: String(p.birthDate).slice(0, 10), age: 50, heightCm: 168, weightKg: 62 },
      identifiers: { accessionNo: exam.accessionNo, requestNo: null, outpatientSerial: null, inpatientSerial: null },
      test: { measuredAt: '2026-12-07T09:30:00', operator: '王技师', device: 'PFT-3000', deviceSerial: 'SN-1', qualityGrade: 'A' },
      results: [
        { param: 'FVC', predicted: 3.9, lln: 3.1, pre: 3.52, preZ: -0.8, prePctPred: 90 },
        { param: 'FEV1', predicted: 3.1, lln: 2.4, pre: 2.35, preZ: -1.7, prePctPred: 76 },
        { param: 'FEV1FVC', predicted: 0.8, lln: 0.7, pre: 0.67, preZ: -1.9, prePctPred: null },
      ],
      conclusion: '轻度阻塞性通气功能障碍',
    };
    return devicePrintout(layout, input);
  }

  it('reads a printed device report (Chinese font not embedded) by its layout template and binds it by accession', async () => {
    const exam = await registered(6);
    const uploaded = (await upload(await printout(exam, 'chinese-nonembedded'), 'report.pdf')).json();
    expect(uploaded.status).toBe('imported');
    const values = (await tech.request('GET', `/api/exams/${exam.examId}/measurements`)).json();
    expect(values.map((v: { param: string; value: number; devicePredicted: number; deviceZscore: number }) => [v.param, v.value, v.devicePredicted, v.deviceZscore])).toEqual([
      ['FVC', 3.52, 3.9, -0.8], ['FEV1', 2.35, 3.1, -1.7], ['FEV1FVC', 0.67, 0.8, -1.9],
    ]);
    const [set] = (await tech.request('GET', `/api/exams/${exam.examId}/device-results`)).json();
    expect(set).toMatchObject({ format: 'pdf', template: 'cn-pft-generic@1', deviceConclusion: '轻度阻塞性通气功能障碍', operator: '王技师' });
  });

  it('keeps the printout of a result already imported from the device file with the exam, without a second set of values', async () => {
    const exam = await registered(7);
    expect((await upload(nddResult(exam.accessionNo, exam.brid, 2.35), 'result.xml')).json().status).toBe('imported');
    const pdf = (await upload(await printout(exam, 'easyone'), 'result.pdf')).json();
    expect(pdf.status).toBe('imported');
    const sets = (await tech.request('GET', `/api/exams/${exam.examId}/device-results`)).json();
    expect(sets.map((s: { format: string }) => s.format)).toEqual(['ndd_xml']);
    const listed = (await tech.request('GET', '/api/device-import/files?status=imported')).json().find((f: { id: string }) => f.id === pdf.fileId);
    expect(listed).toMatchObject({ format: 'pdf', examId: exam.examId, reason: 'device printout kept with the exam; its values came from the device file' });
  });

  it('only lets those with device.import upload', async () => {
    const doctor = await signIn(t, (await given(t).user({ roles: ['reporting_physician'] })).username);
    const response = await t.app.inject({ method: 'POST', url: '/api/device-import/files?name=x.xml', payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream', cookie: doctor.cookie, 'x-csrf-token': doctor.csrfToken } });
    expect(response.statusCode).toBe(403);
  });
});

describe('result folders', () => {
  it('takes a file once it stops growing, imports it, and moves it out of the way', async () => {
    const { mkdtemp, writeFile, readdir } = await import('node:fs/promises');
    const os = await import('node:os');
    const { systemActor } = await import('../../platform/audit.js');
    const t = await testApp('pglite');
    try {
      const campus = await given(t).campus();
      const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-results-'));
      await t.services.devices.create(systemActor('test'), { campusId: campus.id, name: 'ndd', channel: 'ndd_xml', folder: `${folder}/worklist`, resultFolder: folder });
      await writeFile(path.join(folder, 'junk.txt'), 'not a result');
      await writeFile(path.join(folder, '.hidden.part'), 'being written');
      expect(await t.services.folderWatcher.pollOnce()).toBe(0); // first sight: wait until the size settles
      expect(await t.services.folderWatcher.pollOnce()).toBe(1);
      expect((await readdir(folder)).sort()).toEqual(['.hidden.part', 'quarantined']);
      expect(await readdir(path.join(folder, 'quarantined'))).toEqual(['junk.txt']);
      const [file] = await t.database.db.selectFrom('rawFile').select(['source', 'status', 'originalName']).execute();
      expect(file).toEqual({ source: 'folder', status: 'quarantined', originalName: 'junk.txt' });
    } finally {
      await t.close();
    }
  });
});
