import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { sha256Hex } from '../../platform/crypto.js';
import { createFolderWatcher } from '../device-import/folder-watch.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

// Days in the past so that "the check is later than now" never applies; Beijing wall-clock times in the files.
const dayOf = (daysAgo: number) => new Date(Date.now() + 8 * 3_600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);

const englishLog = (day: string, rows: Array<[string, number, number]>) =>
  Buffer.from(
    `\uFEFFDate,Time,Type,Syringe volume (L),Syringe S/N,Flow (L/s),Measured volume (L),Error (%),Temperature (°C),Pressure (hPa),Humidity (%),Operator\r\n` +
      rows.map(([time, flow, measured]) => `${day},${time},Verification,3.00,SY-42,${flow},${measured},${((100 * (measured - 3)) / 3).toFixed(2)},22.5,1012.0,40,Li Na\r\n`).join(''),
  );

describe.each(backends)('importing device calibration exports (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let tech: Client;
  let physician: Client;
  let admin: Client;
  let campusId: string;
  let deviceId: string;
  let folder: string;

  beforeAll(async () => {
    t = await testApp(kind);
    campusId = (await given(t).campus('MAIN')).id;
    folder = await mkdtemp(path.join(tmpdir(), 'pftis-calibration-log-'));
    deviceId = (await t.services.devices.create(systemActor('test'), { campusId, name: '肺功能仪 2', channel: 'gdt', folder: path.join(folder, 'worklist'), resultFolder: folder })).id;
    tech = await signIn(t, (await given(t).user({ roles: ['technician'], campusIds: [campusId] })).username);
    physician = await signIn(t, (await given(t).user({ roles: ['reporting_physician'], campusIds: [campusId] })).username);
    admin = await signIn(t, (await given(t).user({ roles: ['system_admin'], campusIds: [campusId] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const upload = (client: Client, bytes: Buffer, name: string, device = deviceId) =>
    t.app.inject({ method: 'POST', url: `/api/calibration/devices/${device}/import?name=${encodeURIComponent(name)}`, payload: bytes, headers: { 'content-type': 'application/octet-stream', cookie: client.cookie, 'x-csrf-token': client.csrfToken } });
  const audits = (action: string) => t.database.db.selectFrom('auditLog').select(['entityId', 'detail', 'after']).where('action', '=', action).execute();

  it('refuses whoever may not record calibrations, and stores nothing', async () => {
    const bytes = englishLog(dayOf(3), [['08:00:00', 0.5, 2.98], ['08:00:00', 3, 3.0], ['08:00:00', 9.5, 3.02]]);
    expect((await upload(physician, bytes, 'log.csv')).statusCode).toBe(403);
    expect(await t.database.db.selectFrom('rawFile').select('id').where('sha256', '=', sha256Hex(bytes)).executeTakeFirst()).toBeUndefined();
    expect((await upload(tech, bytes, 'log.csv', '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('creates one record per check with source device, judged by ±3 % at three flows, linked to the stored file', async () => {
    const day = dayOf(2);
    const bytes = englishLog(day, [
      ['08:00:00', 0.5, 2.97], ['08:00:00', 3, 3.01], ['08:00:00', 9.5, 3.04],
      ['17:30:00', 0.5, 2.88], ['17:30:00', 3, 3.0], ['17:30:00', 9.5, 3.02],
    ]);
    const response = await upload(tech, bytes, 'SpiroCal_export.csv');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: 'imported', duplicate: false, reason: null, sha256: sha256Hex(bytes), skipped: [], warnings: [] });
    expect(body.created.map((c: { passed: boolean; performedAt: string }) => [c.performedAt, c.passed])).toEqual([
      [new Date(`${day}T08:00:00+08:00`).toISOString(), true],
      [new Date(`${day}T17:30:00+08:00`).toISOString(), false],
    ]);
    expect(body.created[1].problems).toEqual([{ code: 'out-of-limit', detail: '2.88 L is -4.00 % from 3 L' }]);

    const records = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}`)).json();
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ source: 'device', kind: 'volume_check', syringeVolumeL: 3, syringeSerial: 'SY-42', temperatureC: 22.5, pressureHpa: 1012, humidityPct: 40, operatorName: 'Li Na', attachmentSha256: sha256Hex(bytes), attachmentName: 'SpiroCal_export.csv', checkDate: day });
    expect(records[1].injections.map((i: { flowLps: number; measuredL: number }) => [i.flowLps, i.measuredL])).toEqual([[0.5, 2.97], [3, 3.01], [9.5, 3.04]]);

    // The raw file, byte for byte, and its device-file row.
    const file = await t.database.db.selectFrom('rawFile').select(['status', 'format', 'deviceId', 'source']).where('id', '=', body.fileId).executeTakeFirstOrThrow();
    expect(file).toEqual({ status: 'imported', format: 'calibration-log', deviceId, source: 'upload' });
    const stored = await tech.request('GET', `/api/calibration/logs/${body.fileId}`);
    expect(Buffer.from(stored.rawPayload).equals(bytes)).toBe(true);
    // Audited: the file, each record, the import.
    expect((await audits('calibration.log-imported')).find((a) => a.entityId === body.fileId)?.detail).toMatchObject({ created: 2, checks: 2 });
    expect((await audits('calibration.recorded')).filter((a) => (a.after as { file?: string }).file === body.sha256)).toHaveLength(2);
  });

  it('recognises the same file twice and imports nothing the second time; a cumulative export adds only the new check', async () => {
    const day = dayOf(2);
    const first = englishLog(day, [['08:00:00', 0.5, 2.97], ['08:00:00', 3, 3.01], ['08:00:00', 9.5, 3.04], ['17:30:00', 0.5, 2.88], ['17:30:00', 3, 3.0], ['17:30:00', 9.5, 3.02]]);
    const again = (await upload(tech, first, 'copy.csv')).json();
    expect(again).toMatchObject({ status: 'imported', duplicate: true, skipped: [] });
    expect(again.created).toHaveLength(2);
    expect((await tech.request('GET', `/api/calibration?deviceId=${deviceId}`)).json()).toHaveLength(2);

    const cumulative = Buffer.concat([first, Buffer.from(`${dayOf(1)},08:05:00,Verification,3.00,SY-42,0.6,2.99,-0.33,22.0,1010.0,42,Li Na\r\n${dayOf(1)},08:05:00,Verification,3.00,SY-42,2.9,3.00,0.00,22.0,1010.0,42,Li Na\r\n${dayOf(1)},08:05:00,Verification,3.00,SY-42,10.1,3.03,1.00,22.0,1010.0,42,Li Na\r\n`)]);
    const grown = (await upload(tech, cumulative, 'SpiroCal_export.csv')).json();
    expect(grown).toMatchObject({ status: 'imported', duplicate: false });
    expect(grown.created).toHaveLength(1);
    expect(grown.skipped).toHaveLength(2);
    expect((await tech.request('GET', `/api/calibration?deviceId=${deviceId}`)).json()).toHaveLength(3);
  });

  it('keeps a file it cannot read, with the reason, and reads it again once the device mapping fits', async () => {
    const odd = Buffer.from(iconv.encode(`Zeitpunkt;Spritze;V_ist;Q\r\n${dayOf(4).split('-').reverse().join('.')} 09:00:00;3,0;2,99;0,5\r\n${dayOf(4).split('-').reverse().join('.')} 09:00:00;3,0;3,01;3,0\r\n${dayOf(4).split('-').reverse().join('.')} 09:00:00;3,0;3,02;9,0\r\n`, 'gbk'));
    const refused = (await upload(tech, odd, 'kalibrierung.csv')).json();
    expect(refused).toMatchObject({ status: 'quarantined', duplicate: false, created: [], reason: expect.stringContaining('未找到定标记录表头') });
    const kept = await t.database.db.selectFrom('rawFile').select(['status', 'reason', 'format']).where('id', '=', refused.fileId).executeTakeFirstOrThrow();
    expect(kept).toEqual({ status: 'quarantined', reason: refused.reason, format: 'calibration-log' });
    expect(Buffer.from((await tech.request('GET', `/api/calibration/logs/${refused.fileId}`)).rawPayload).equals(odd)).toBe(true);
    expect((await audits('calibration.log-quarantined')).map((a) => a.entityId)).toContain(refused.fileId);

    // The mapping is a device setting: technicians may read it, only device managers change it.
    expect((await tech.request('PUT', `/api/calibration/devices/${deviceId}/log-mapping`, { columns: { dateTime: 'Zeitpunkt' } })).statusCode).toBe(403);
    const mapping = await admin.request('PUT', `/api/calibration/devices/${deviceId}/log-mapping`, { columns: { dateTime: 'Zeitpunkt', syringeVolume: 'Spritze', measuredVolume: 'V_ist', flow: 4 } });
    expect(mapping.statusCode).toBe(200);
    expect((await tech.request('GET', `/api/calibration/devices/${deviceId}/log-mapping`)).json()).toMatchObject({ columns: { flow: 4 }, encoding: 'auto' });
    expect((await admin.request('PUT', `/api/calibration/devices/${deviceId}/log-mapping`, { columns: { nonsense: 'x' } })).statusCode).toBe(400);

    const retried = (await upload(tech, odd, 'kalibrierung.csv')).json();
    expect(retried).toMatchObject({ fileId: refused.fileId, status: 'imported', duplicate: false, reason: null });
    expect(retried.created).toEqual([expect.objectContaining({ passed: true })]);
    await t.services.calibration.updateLogMapping(systemActor('test'), deviceId, {});
  });

  it('takes a calibration log out of the device folder into the 质控 records, and results still go to device import', async () => {
    const watcher = createFolderWatcher({ db: t.database.db, imports: t.services.deviceImport, calibration: t.services.calibration });
    const chinese = Buffer.from(iconv.encode(`日期\t时间\t定标筒容积(L)\t流速(L/s)\t实测容积(L)\t误差%\t操作者\r\n${dayOf(5)}\t07:50:00\t3.00\t0.5\t2.99\t-0.33\t张敏\r\n${dayOf(5)}\t07:50:00\t3.00\t3.0\t3.01\t0.33\t张敏\r\n${dayOf(5)}\t07:50:00\t3.00\t9.0\t3.02\t0.67\t张敏\r\n`, 'gbk'));
    await writeFile(path.join(folder, 'CAL_20261207.txt'), chinese);
    await writeFile(path.join(folder, 'junk.dat'), 'not a result at all');
    expect(await watcher.pollOnce()).toBe(0);
    expect(await watcher.pollOnce()).toBe(2);
    expect(await readdir(path.join(folder, 'imported'))).toEqual(['CAL_20261207.txt']);
    expect(await readdir(path.join(folder, 'quarantined'))).toEqual(['junk.dat']);
    const record = (await tech.request('GET', `/api/calibration?deviceId=${deviceId}&from=${dayOf(5)}&to=${dayOf(5)}`)).json();
    expect(record).toEqual([expect.objectContaining({ source: 'device', operatorName: '张敏', passed: true, attachmentName: 'CAL_20261207.txt' })]);
    const junk = await t.database.db.selectFrom('rawFile').select(['format', 'status']).where('originalName', '=', 'junk.dat').executeTakeFirstOrThrow();
    expect(junk.format).not.toBe('calibration-log');
  });
});
