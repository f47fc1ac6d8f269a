import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

// The 质控 page's server side: uploaded reports kept raw, the daily calendar, corrective actions, the biological
// control baseline, the registration check for manual intake, and the permission on every route.

const PDF = Buffer.from('%PDF-1.4\n% calibration report of the 3-L syringe check\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Noon in Beijing today, so that "today" and the days before it are stable while the test runs. */
const today = hospitalDate(new Date());
const noon = new Date(`${today}T04:00:00Z`);
const dayBefore = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
/** 10:00 Beijing on a past day. */
const at = (day: string) => `${day}T02:00:00.000Z`;

const threeFlows = (measured: [number, number, number]) => measured.map((measuredL, i) => ({ flowLps: [0.5, 3, 10][i], measuredL }));

describe.each(backends)('质控: documents, calendar, actions and permissions (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let tech: Client;
  let physician: Client;
  let admin: Client;
  let campusId: string;
  let deviceId: string;

  beforeAll(async () => {
    t = await testApp(kind, { now: () => noon });
    campusId = (await given(t).campus()).id;
    deviceId = (await t.services.devices.create(systemActor('test'), { campusId, name: '质控测试肺功能仪', room: '3号室', channel: 'gdt', folder: '/tmp/pftis-qc-test' })).id;
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campusId] })).username);
    physician = await signIn(t, (await given(t).user({ roles: ['reporting_physician'], campusIds: [campusId] })).username);
    admin = await signIn(t, (await given(t).user({ roles: ['system_admin'], campusIds: [campusId] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const upload = (client: Client, url: string, bytes: Buffer) =>
    t.app.inject({ method: 'POST', url, payload: bytes, headers: { 'content-type': 'application/octet-stream', cookie: client.cookie, 'x-csrf-token': client.csrfToken } });
  const audit = (action: string) => t.database.db.selectFrom('auditLog').select(['entityId', 'detail', 'after']).where('action', '=', action).execute();

  it('keeps an uploaded report raw under its SHA-256 and links it to the record transcribed from it', async () => {
    const pdf = await upload(tech, `/api/calibration/documents?name=${encodeURIComponent('定标报告 2026.pdf')}`, PDF);
    expect(pdf.statusCode).toBe(201);
    expect(pdf.json()).toMatchObject({ sha256: sha256(PDF), name: '定标报告 2026.pdf', mediaType: 'application/pdf', sizeBytes: PDF.length });
    const photo = await upload(tech, '/api/calibration/documents?name=photo.png', PNG);
    expect(photo.json()).toMatchObject({ mediaType: 'image/png', sha256: sha256(PNG) });
    // Stored byte for byte in the content-addressed store.
    expect(Buffer.compare((await t.services.calibration.document(photo.json().id)).bytes, PNG)).toBe(0);

    const recorded = await tech.request('POST', '/api/calibration', {
      deviceId, kind: 'calibration', performedAt: at(dayBefore(3)), syringeVolumeL: 3, syringeSerial: 'HR-3L-0007', temperatureC: 23, pressureHpa: 1009, humidityPct: 45,
      injections: threeFlows([2.98, 3.01, 3.04]), documentIds: [pdf.json().id, photo.json().id],
    });
    expect(recorded.statusCode).toBe(201);
    expect(recorded.json()).toMatchObject({ passed: true, checkDate: dayBefore(3) });
    const [row] = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}`)).json();
    expect(row).toMatchObject({ source: 'document', syringeSerial: 'HR-3L-0007', attachmentSha256: sha256(PDF) });
    expect(row.documents.map((d: { name: string }) => d.name)).toEqual(['定标报告 2026.pdf', 'photo.png']);
    expect(row.injections.map((i: { errorPct: number }) => i.errorPct.toFixed(2))).toEqual(['-0.67', '0.33', '1.33']);

    // A document belongs to one record.
    const again = await tech.request('POST', '/api/calibration', { deviceId, kind: 'calibration', syringeVolumeL: 3, injections: threeFlows([3, 3, 3]), documentIds: [pdf.json().id] });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'calibration.document-unavailable', title: '附件不存在或已关联其他记录' });

    // Read back as it was received, also by a physician (calibration.read).
    const file = await physician.request('GET', `/api/calibration/documents/${pdf.json().id}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-sha256']).toBe(sha256(PDF));
    expect(Buffer.compare(file.rawPayload, PDF)).toBe(0);

    expect((await audit('calibration.document-uploaded')).map((a) => (a.detail as { sha256: string }).sha256)).toEqual(expect.arrayContaining([sha256(PDF), sha256(PNG)]));
    expect((await audit('calibration.recorded')).find((a) => a.entityId === row.id)?.after).toMatchObject({ documents: [sha256(PDF), sha256(PNG)] });
  });

  it('refuses files that are not a PDF, JPG or PNG, whatever their name', async () => {
    const text = await upload(tech, '/api/calibration/documents?name=report.pdf', Buffer.from('just text, not a PDF'));
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ code: 'calibration.unsupported-file', title: '仅支持 PDF、JPG 或 PNG 格式的定标报告' });
    const { id } = (await tech.request('POST', '/api/calibration', { deviceId, kind: 'volume_check', performedAt: at(dayBefore(5)), syringeVolumeL: 3, injections: threeFlows([3, 3, 3]) })).json();
    expect((await upload(tech, `/api/calibration/${id}/attachment?name=x.txt`, Buffer.from('hello'))).statusCode).toBe(400);
    const missing = await upload(tech, `/api/calibration/00000000-0000-4000-8000-000000000000/attachment?name=a.pdf`, PDF);
    expect(missing.statusCode).toBe(404);
    expect((await upload(tech, '/api/calibration/documents', PDF)).statusCode).toBe(400);
  });

  it('shows each day as passed, failed or missing, with the biological control and the exams done that day', async () => {
    await tech.request('POST', '/api/calibration', { deviceId, kind: 'volume_check', performedAt: at(dayBefore(1)), syringeVolumeL: 3, injections: threeFlows([2.9, 3.0, 3.0]) });
    await tech.request('POST', '/api/calibration', { deviceId, kind: 'biological_control', performedAt: at(dayBefore(1)), subject: '李技师', fev1L: 3.4, fvcL: 4.2 });
    // Today: nothing yet, so manual registration on the device warns (point 4 of the 质控 page: registration).
    const registered = await tech.request('POST', '/api/exams/manual', { patient: { name: '临时患者', sex: 'male', birthDate: '1960-01-02' }, deviceId });
    expect(registered.statusCode).toBe(201);
    expect(registered.json().warnings).toEqual(['所选设备今日尚未定标，请先完成定标']);

    const daily = await tech.request('GET', `/api/calibration/daily?deviceId=${deviceId}&from=${dayBefore(6)}&to=${dayBefore(-3)}`);
    expect(daily.statusCode).toBe(200);
    const body = daily.json();
    expect(body).toMatchObject({ deviceId, today, since: dayBefore(5) });
    // From the first record (5 days ago) to today; nothing after today.
    expect(body.days.map((d: { date: string; volume: string; biological: string | null; exams: number }) => [d.date, d.volume, d.biological, d.exams])).toEqual([
      [dayBefore(5), 'passed', null, 0],
      [dayBefore(4), 'missing', null, 0],
      [dayBefore(3), 'passed', null, 0],
      [dayBefore(2), 'missing', null, 0],
      [dayBefore(1), 'failed', 'passed', 0],
      [today, 'missing', null, 1],
    ]);
    const overview = (await tech.request('GET', `/api/calibration/overview?campusId=${campusId}`)).json();
    expect(overview).toEqual([expect.objectContaining({ deviceId, today: 'missing', lastPassed: false, examsToday: 1, lastBiologicalPassed: true })]);

    expect((await tech.request('GET', `/api/calibration/daily?deviceId=${deviceId}&from=${today}&to=${dayBefore(1)}`)).statusCode).toBe(400);
    expect((await tech.request('GET', `/api/calibration/daily?deviceId=${deviceId}&from=2020-01-01&to=${today}`)).json().errors[0].message).toBe('一次最多查询 400 天');
    expect((await tech.request('GET', `/api/calibration/daily?deviceId=00000000-0000-4000-8000-000000000000&from=${today}&to=${today}`)).statusCode).toBe(404);
  });

  it('tells registration the state of the device, and blocks manual registration when the lab says so', async () => {
    expect((await tech.request('GET', `/api/calibration/devices/${deviceId}/today`)).json()).toEqual({ status: 'missing', blockWithoutPassedCheck: false });
    const policy = await admin.request('PUT', '/api/calibration/policy', { blockWithoutPassedCheck: true });
    expect(policy.json()).toEqual({ blockWithoutPassedCheck: true, biologicalControlLimitPct: 5, biologicalControlLimitL: 0.15, biologicalControlCombine: 'either' });
    expect((await tech.request('GET', `/api/calibration/devices/${deviceId}/today`)).json()).toEqual({ status: 'missing', blockWithoutPassedCheck: true });
    const blocked = await tech.request('POST', '/api/exams/manual', { patient: { name: '临时患者乙', sex: 'female', birthDate: '1971-03-04' }, deviceId });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ code: 'exams.device-not-checked', title: '所选设备今日尚未定标，请先完成定标' });

    await tech.request('POST', '/api/calibration', { deviceId, kind: 'volume_check', syringeVolumeL: 3, injections: threeFlows([3.0, 3.02, 2.99]) });
    expect((await tech.request('GET', `/api/calibration/devices/${deviceId}/today`)).json().status).toBe('passed');
    const allowed = await tech.request('POST', '/api/exams/manual', { patient: { name: '临时患者乙', sex: 'female', birthDate: '1971-03-04' }, deviceId });
    expect(allowed.json()).toMatchObject({ created: true, warnings: [] });
    await admin.request('PUT', '/api/calibration/policy', { blockWithoutPassedCheck: false });
  });

  it('logs corrective actions on a failed check', async () => {
    const failed = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}&kind=volume_check`)).json().find((r: { passed: boolean }) => !r.passed);
    const action = await tech.request('POST', `/api/calibration/${failed.id}/actions`, { action: '更换流量传感器后重新定标' });
    expect(action.statusCode).toBe(201);
    expect(action.json()).toMatchObject({ action: '更换流量传感器后重新定标', operatorName: expect.any(String), createdAt: noon.toISOString() });
    const listed = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}&from=${dayBefore(1)}&to=${dayBefore(1)}&kind=volume_check`)).json();
    expect(listed[0].actions).toEqual([expect.objectContaining({ action: '更换流量传感器后重新定标' })]);
    expect((await audit('calibration.action-recorded')).map((a) => a.entityId)).toContain(failed.id);
    expect((await tech.request('POST', `/api/calibration/${failed.id}/actions`, { action: ' ' })).statusCode).toBe(400);
    expect((await tech.request('POST', '/api/calibration/00000000-0000-4000-8000-000000000000/actions', { action: '重新定标' })).statusCode).toBe(404);
  });

  it('judges biological control against the mean of the in-limit sessions, and keeps that baseline with the record', async () => {
    const bio = (day: number, fev1L: number, fvcL: number) =>
      tech.request('POST', '/api/calibration', { deviceId, kind: 'biological_control', subject: '周技师', performedAt: at(dayBefore(day)), fev1L, fvcL }).then((r) => r.json());
    for (const [day, fev1, fvc] of [[30, 3.0, 4.0], [29, 3.02, 4.02], [28, 2.98, 3.98]] as const) expect((await bio(day, fev1, fvc)).problems[0].code).toBe('baseline');
    const drifted = await bio(27, 3.2, 4.0);
    expect(drifted).toMatchObject({ passed: false, problems: [{ code: 'out-of-limit', detail: "FEV1 3.2 L is +0.200 L (6.7 %) from the subject's baseline 3.000 L" }] });
    // The drifted session is not part of the next baseline.
    const next = await bio(26, 3.1, 4.1);
    expect(next).toMatchObject({ passed: true, problems: [] });
    const [latest] = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}&kind=biological_control&from=${dayBefore(26)}&to=${dayBefore(26)}`)).json();
    expect(latest).toMatchObject({ subject: '周技师', fev1L: 3.1, fvcL: 4.1, baselineFev1L: 3, baselineFvcL: 4, baselineSessions: 3 });
    // 0.1 L on 3.0 L is within 5 % but beyond a 0.05 L limit.
    await admin.request('PUT', '/api/calibration/policy', { biologicalControlLimitL: 0.05 });
    expect((await bio(25, 3.1, 4.0)).passed).toBe(false);
    await admin.request('PUT', '/api/calibration/policy', { biologicalControlLimitL: 0.05, biologicalControlCombine: 'both' });
    expect((await bio(24, 3.1, 4.0)).passed).toBe(true);
    const fev1AboveFvc = await tech.request('POST', '/api/calibration', { deviceId, kind: 'biological_control', subject: '周技师', fev1L: 4.5, fvcL: 4.0 });
    expect(fev1AboveFvc.json().errors[0]).toMatchObject({ field: 'body.fev1L', message: 'FEV1 不能大于 FVC' });
    await admin.request('PUT', '/api/calibration/policy', {});
  });

  it('refuses every route to those without the permission, and records the refusal', async () => {
    const someId = '00000000-0000-4000-8000-000000000000';
    // The reporting physician reads QC records but does not write them and does not register exams.
    for (const [method, url, body] of [
      ['POST', '/api/calibration', { deviceId, kind: 'volume_check', syringeVolumeL: 3, injections: threeFlows([3, 3, 3]) }],
      ['POST', `/api/calibration/${someId}/actions`, { action: '重新定标' }],
      ['PUT', '/api/calibration/policy', { blockWithoutPassedCheck: true }],
      ['GET', `/api/calibration/devices/${deviceId}/today`, undefined],
    ] as const) {
      const response = await physician.request(method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().code).toBe('auth.forbidden');
    }
    for (const url of ['/api/calibration/documents?name=a.pdf', `/api/calibration/${someId}/attachment?name=a.pdf`]) expect((await upload(physician, url, PDF)).statusCode).toBe(403);
    // The system administrator manages devices and settings but does not see QC records.
    for (const url of [`/api/calibration?deviceId=${deviceId}`, `/api/calibration/daily?deviceId=${deviceId}&from=${today}&to=${today}`, `/api/calibration/overview?campusId=${campusId}`, `/api/calibration/documents/${someId}`, '/api/calibration/policy']) {
      expect((await admin.request('GET', url)).statusCode, url).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/calibration/daily?deviceId=${deviceId}&from=${today}&to=${today}` })).statusCode).toBe(401);
    const denials = await t.database.db.selectFrom('auditLog').select('detail').where('action', '=', 'auth.permission-denied').execute();
    expect(denials.map((d) => (d.detail as { url: string }).url)).toEqual(
      expect.arrayContaining(['/api/calibration', '/api/calibration/:id/actions', '/api/calibration/policy', '/api/calibration/devices/:id/today', '/api/calibration/documents', '/api/calibration/:id/attachment', '/api/calibration/daily', '/api/calibration/overview', '/api/calibration/documents/:id']),
    );
  });
});
