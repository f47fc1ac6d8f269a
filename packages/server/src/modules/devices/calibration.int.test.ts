import { type DemoHis, openDemoHis } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

describe.each(backends)('calibration records and the daily check (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let demo: DemoHis;
  let tech: Client;
  let campusId: string;
  let deviceId: string;

  beforeAll(async () => {
    demo = await openDemoHis(undefined, new Date());
    t = await testApp(kind, { his: { kind: 'pglite', instance: demo.pglite } });
    campusId = (await given(t).campus('MAIN')).id;
    deviceId = (await t.services.devices.create(systemActor('test'), { campusId, name: '肺功能仪', channel: 'gdt', folder: '/tmp/pftis-calibration-test' })).id;
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campusId] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await demo?.close();
  });

  const pendingOrder = async (offset: number) => (await demo.pglite.query<{ sqdh: string }>(`SELECT sqdh FROM V_PFT_APPLY WHERE zt = '0' ORDER BY sqdh LIMIT 1 OFFSET ${offset}`)).rows[0]!.sqdh;
  const overview = async () => (await tech.request('GET', `/api/calibration/overview?campusId=${campusId}`)).json()[0];

  it('warns when registering on a device without a check today, and blocks when the lab says so', async () => {
    expect((await overview()).today).toBe('missing');
    const warned = (await tech.request('POST', '/api/exams', { requestNos: [await pendingOrder(0)], deviceId })).json();
    expect(warned.warnings).toEqual(['所选设备今日尚未定标，请先完成定标']);
    await t.services.calibration.updatePolicy(systemActor('test'), { blockWithoutPassedCheck: true, biologicalControlLimitPct: 5 });
    const blocked = await tech.request('POST', '/api/exams', { requestNos: [await pendingOrder(1)], deviceId });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ code: 'exams.device-not-checked', title: '所选设备今日尚未定标，请先完成定标' });
  });

  it('judges a 3-L syringe check at three flows against ±3 %, and a passed check lifts the block', async () => {
    const failed = await tech.request('POST', '/api/calibration', { deviceId, kind: 'volume_check', syringeVolumeL: 3, syringeSerial: 'S-3L-001', temperatureC: 22.5, pressureHpa: 1012, humidityPct: 40, injections: [{ flowLps: 0.5, measuredL: 2.95 }, { flowLps: 3, measuredL: 3.12 }, { flowLps: 10, measuredL: 3.02 }] });
    expect(failed.statusCode).toBe(201);
    expect(failed.json()).toMatchObject({ passed: false, problems: [{ code: 'out-of-limit', detail: '3.12 L is 4.00 % from 3 L' }] });
    expect((await overview()).today).toBe('failed');
    const blocked = await tech.request('POST', '/api/exams', { requestNos: [await pendingOrder(1)], deviceId });
    expect(blocked.json().title).toBe('所选设备今日定标未通过，请重新定标后再检查');

    const passed = await tech.request('POST', '/api/calibration', { deviceId, kind: 'volume_check', syringeVolumeL: 3, injections: [{ flowLps: 0.5, measuredL: 2.96 }, { flowLps: 3, measuredL: 3.01 }, { flowLps: 10, measuredL: 3.05 }] });
    expect(passed.json().passed).toBe(true);
    expect((await overview()).today).toBe('passed');
    const registered = (await tech.request('POST', '/api/exams', { requestNos: [await pendingOrder(1)], deviceId })).json();
    expect(registered).toMatchObject({ warnings: [], exams: [{ created: true }] });
    const records = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}`)).json();
    expect(records.map((r: { passed: boolean }) => r.passed)).toEqual([true, false]);
    expect(records[1]).toMatchObject({ syringeSerial: 'S-3L-001', temperatureC: 22.5, pressureHpa: 1012, operatorName: expect.any(String) });
  });

  it('keeps the device report with the record', async () => {
    const { id } = (await tech.request('POST', '/api/calibration', { deviceId, kind: 'calibration', syringeVolumeL: 3, injections: [{ measuredL: 3 }, { measuredL: 3 }, { measuredL: 3 }] })).json();
    const pdf = Buffer.from('%PDF-1.4 calibration report');
    const response = await t.app.inject({ method: 'POST', url: `/api/calibration/${id}/attachment?name=${encodeURIComponent('定标报告.pdf')}`, payload: pdf, headers: { 'content-type': 'application/octet-stream', cookie: tech.cookie, 'x-csrf-token': tech.csrfToken } });
    expect(response.statusCode).toBe(200);
    const row = await t.database.db.selectFrom('calibration').select(['attachmentName', 'attachmentSha256']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ attachmentName: '定标报告.pdf', attachmentSha256: response.json().sha256 });
    const listed = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}&kind=calibration`)).json();
    expect(listed[0].documents).toEqual([expect.objectContaining({ id: response.json().documentId, name: '定标报告.pdf', mediaType: 'application/pdf', sizeBytes: pdf.length })]);
  });

  it('judges a biological control against the subject’s own mean once a baseline exists', async () => {
    const bio = (fev1L: number, fvcL: number) => tech.request('POST', '/api/calibration', { deviceId, kind: 'biological_control', subject: '王技师', fev1L, fvcL });
    const baseline: Array<[number, number]> = [[3.5, 4.5], [3.52, 4.48], [3.48, 4.52]];
    for (const [fev1, fvc] of baseline) expect((await bio(fev1, fvc)).json()).toMatchObject({ passed: true, problems: [{ code: 'baseline' }] });
    expect((await bio(3.55, 4.55)).json()).toEqual(expect.objectContaining({ passed: true, problems: [] }));
    const drifted = (await bio(3.2, 4.5)).json();
    expect(drifted.passed).toBe(false);
    expect(drifted.problems[0].detail).toMatch(/^FEV1 3.2 L is -0\.3\d\d L \(-8\.\d %\) from the subject's baseline/);
    const incomplete = await tech.request('POST', '/api/calibration', { deviceId, kind: 'biological_control', subject: '王技师' });
    expect(incomplete.json().errors[0]).toMatchObject({ field: 'body.subject' });
  });
});
