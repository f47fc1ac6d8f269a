import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { MllpClient } from '@pftis/formats/hl7/mllp';
import { sampleDeliveredReport, sampleJpegBytes } from '@pftis/formats/report/fixtures';
import { buildReportFhirBundle, buildReportJson, buildReportOru, buildReportSidecar, buildReportXml, reportDeliveryKey, reportFileName } from '@pftis/formats/report/index';
import { createReportReceiver, DEMO_RECEIVER_TOKEN, type ReportReceiver } from './receiver.js';

// What PFTIS's own writers produce, delivered the way the server's delivery adapters send it: the receivers must
// file every channel's message under the right 申请单号 and version, and recognise every retry.

const v1 = sampleDeliveredReport();
const v2 = sampleDeliveredReport({ version: 2, action: 'replace', conclusion: { text: '中度阻塞性通气功能障碍，支气管舒张试验阳性。' } });
const requestNo = v1.order.requestNo!;
const now = new Date('2026-11-25T07:21:00Z');

let receiver: ReportReceiver | undefined;
const temp: string[] = [];
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const dir of temp.splice(0)) await rm(dir, { recursive: true, force: true });
});

const expected = {
  orderNo: requestNo,
  accessionNo: v1.order.accessionNo,
  version: 1,
  idempotencyKey: v1.idempotencyKey,
  action: 'publish',
  patientName: '张伟',
  reviewer: '刘建国',
  superseded: true,
};

describe('reports as the PFTIS writers build them', () => {
  it('web service: the BS320 JSON body, then a correction as XML; retries are duplicates', async () => {
    receiver = await createReportReceiver({ fhir: false, mllp: false });
    const send = (body: { text: string; contentType: string }, key: string) =>
      fetch(receiver!.urls.reportPublish!, { method: 'POST', headers: { 'content-type': body.contentType, 'idempotency-key': key, authorization: `Bearer ${DEMO_RECEIVER_TOKEN}` }, body: body.text }).then((r) => r.json());
    const json = buildReportJson(v1, { now });
    expect(await send(json, v1.idempotencyKey)).toMatchObject({ code: 0, duplicate: false });
    expect(await send(json, v1.idempotencyKey)).toMatchObject({ code: 0, duplicate: true });
    expect(await send(buildReportXml(v2, { now }), v2.idempotencyKey)).toMatchObject({ code: 0, duplicate: false });
    const [first, second] = receiver.arrivalsByOrder(requestNo);
    expect(first).toMatchObject({ ...expected, channel: 'http', signatureSerial: v1.signatureSerial, visitSerialNo: v1.order.visitSerialNo, size: v1.pdf.bytes.length, duplicatesIgnored: 1 });
    expect(second).toMatchObject({ version: 2, action: 'replace', replaces: 1, superseded: false, conclusion: v2.conclusion.text, size: v2.pdf.bytes.length });
  });

  it('FHIR: the transaction Bundle; a retry answers 200 with the same ids; the corrected version supersedes', async () => {
    receiver = await createReportReceiver({ http: false, mllp: false });
    const post = (bundle: unknown) => fetch(receiver!.urls.fhir!, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) }).then((r) => r.json() as Promise<{ entry: Array<{ response: { status: string; location: string } }> }>);
    const first = await post(buildReportFhirBundle(v1, { now }));
    expect(first.entry.every((e) => e.response.status === '201 Created')).toBe(true);
    const retry = await post(buildReportFhirBundle(v1, { now }));
    expect(retry.entry.map((e) => e.response.status)).toEqual(first.entry.map(() => '200 OK'));
    expect(retry.entry.map((e) => e.response.location)).toEqual(first.entry.map((e) => e.response.location));
    const corrected = await post(buildReportFhirBundle(v2, { now }));
    expect(corrected.entry[0]!.response.status).toBe('200 OK'); // the Patient, matched by its HIS id
    const [a1, a2] = receiver.arrivalsByOrder(requestNo);
    expect(a1).toMatchObject({ ...expected, channel: 'fhir', visitSerialNo: v1.order.visitSerialNo, size: v1.pdf.bytes.length, duplicatesIgnored: 1 });
    expect(a2).toMatchObject({ version: 2, action: 'replace', replaces: 1, superseded: false });
  });

  it('HL7: the ORU^R01 in GBK (the server default) over MLLP; ACK AA for the retry too; the correction (OBR-25 C) supersedes', async () => {
    receiver = await createReportReceiver({ http: false, fhir: false });
    const client = new MllpClient({ host: '127.0.0.1', port: receiver.ports.mllp!, responseTimeoutMs: 3000 });
    const options = { sendingApplication: 'PFTIS', sendingFacility: 'PFT', receivingApplication: 'HIS', receivingFacility: '', encoding: 'gbk' as const, now };
    try {
      const oru = buildReportOru(v1, options);
      for (let attempt = 0; attempt < 2; attempt++) {
        const answer = await client.send(oru.bytes);
        const ack = answer.ok ? parseHl7Ack(answer.value, 'gbk') : null;
        expect(ack?.ok && ack.value).toMatchObject({ code: 'AA', acknowledgedControlId: oru.controlId, text: attempt === 0 ? '已接收' : expect.stringContaining('重复') });
      }
      const correction = await client.send(buildReportOru(v2, options).bytes);
      expect(correction.ok && parseHl7Ack(correction.value, 'gbk')).toMatchObject({ ok: true, value: { code: 'AA' } });
    } finally {
      await client.close();
    }
    const [a1, a2] = receiver.arrivalsByOrder(requestNo);
    // The ORU carries no version: the HIS keys it on MSH-10 (derived from the idempotency key) and the order.
    expect(a1).toMatchObject({ channel: 'mllp', orderNo: requestNo, accessionNo: v1.order.accessionNo, patientName: '张伟', reviewer: '刘建国', signatureSerial: v1.signatureSerial, size: v1.pdf.bytes.length, duplicatesIgnored: 1, superseded: true });
    expect(a1!.conclusion).toBe(v1.conclusion.text);
    expect(a2).toMatchObject({ action: 'replace', superseded: false });
  });

  it('a correction on another channel supersedes too: web service v1, then the ORU (which carries no version) with OBR-25 C', async () => {
    receiver = await createReportReceiver({ fhir: false });
    const json = buildReportJson(v1, { now });
    await fetch(receiver.urls.reportPublish!, { method: 'POST', headers: { 'content-type': json.contentType, 'idempotency-key': v1.idempotencyKey, authorization: `Bearer ${DEMO_RECEIVER_TOKEN}` }, body: json.text });
    const client = new MllpClient({ host: '127.0.0.1', port: receiver.ports.mllp!, responseTimeoutMs: 3000 });
    await client.send(buildReportOru(v2, { sendingApplication: 'PFTIS', sendingFacility: '', receivingApplication: 'HIS', receivingFacility: '', encoding: 'utf-8', now }).bytes);
    await client.close();
    expect(receiver.arrivalsByOrder(requestNo).map((a) => [a.channel, a.version, a.action, a.replaces, a.superseded])).toEqual([
      ['http', 1, 'publish', null, true],
      ['mllp', null, 'replace', 1, false],
    ]);
  });

  it('file drop: PDF + JSON sidecar, and JPEG pages + XML sidecar, written as the server writes them (.part, then rename, sidecar last)', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-drop-'));
    temp.push(folder);
    receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, file: { folder, pollMs: 60_000 } });
    const put = async (name: string, bytes: Uint8Array) => {
      await writeFile(path.join(folder, `${name}.123.part`), bytes);
      expect(await receiver!.pollFiles()).toBe(0);
      await rename(path.join(folder, `${name}.123.part`), path.join(folder, name));
    };
    const pattern = '{requestNo}_{accessionNo}_v{version}';
    await put(reportFileName(pattern, v1, 'pdf'), v1.pdf.bytes);
    await put(reportFileName(pattern, v1, 'json'), buildReportSidecar(v1, 'json').bytes);
    await receiver.pollFiles();
    expect(await receiver.pollFiles()).toBe(1);

    const pages = [sampleJpegBytes(), sampleJpegBytes()];
    await put(reportFileName(pattern, v2, 'p1.jpg'), pages[0]!);
    await put(reportFileName(pattern, v2, 'p2.jpg'), pages[1]!);
    await put(reportFileName(pattern, v2, 'xml'), buildReportSidecar(v2, 'xml').bytes);
    await receiver.pollFiles();
    expect(await receiver.pollFiles()).toBe(1);
    expect(await readdir(folder)).toEqual(['done']);

    const [a1, a2] = receiver.arrivalsByOrder(requestNo);
    expect(a1).toMatchObject({ ...expected, channel: 'file', size: v1.pdf.bytes.length, document: { kind: 'pdf' } });
    expect(a2).toMatchObject({ version: 2, action: 'replace', replaces: 1, superseded: false, document: { kind: 'jpg' }, source: { pages: '2' } });
  });
});

describe('revokes as the PFTIS writers build them', () => {
  const revoked = sampleDeliveredReport({ action: 'revoke' });
  const reason = revoked.revocationReason!;

  it('web service: the revoke body (action 撤回, no document) withdraws v1, even under the version’s own Idempotency-Key; a repeat is a duplicate; the page says 已撤回', async () => {
    receiver = await createReportReceiver({ fhir: false, mllp: false });
    const send = (body: { text: string; contentType: string }, key: string) =>
      fetch(receiver!.urls.reportPublish!, { method: 'POST', headers: { 'content-type': body.contentType, 'idempotency-key': key, authorization: `Bearer ${DEMO_RECEIVER_TOKEN}` }, body: body.text }).then((r) => r.json());
    expect(await send(buildReportJson(v1, { now }), v1.idempotencyKey)).toMatchObject({ code: 0, duplicate: false });
    const revoke = buildReportJson(revoked, { now });
    expect(await send(revoke, revoked.idempotencyKey)).toMatchObject({ code: 0, duplicate: false });
    expect(await send(revoke, revoked.idempotencyKey)).toMatchObject({ code: 0, duplicate: true });
    // The delivery key `${idempotencyKey}:revoke` and the XML body are the same revoke.
    expect(await send(buildReportXml(revoked, { now }), reportDeliveryKey(revoked))).toMatchObject({ code: 0, duplicate: true });
    const [a1, r1, ...rest] = receiver.arrivalsByOrder(requestNo);
    expect(rest).toEqual([]);
    expect(a1).toMatchObject({ version: 1, action: 'publish', withdrawn: true, withdrawnBy: r1!.receiptNo, superseded: false, revocationReason: reason });
    expect(r1).toMatchObject({ channel: 'http', version: 1, action: 'revoke', revocationReason: reason, document: null, size: 0, duplicatesIgnored: 2, withdrawn: false });

    const html = await (await fetch(receiver.urls.viewer!)).text();
    expect(html).toContain('已撤回');
    expect(html).toContain(`撤回原因：${reason}`);
    const listing = (await (await fetch(`${receiver.urls.viewer}arrivals?requestNo=${requestNo}`)).json()) as { orders: Array<{ current: string[]; versions: Array<{ action: string; withdrawn: boolean }> }> };
    expect(listing.orders[0]).toMatchObject({ current: [], versions: [{ action: 'publish', withdrawn: true }, { action: 'revoke', withdrawn: false }] });
  });

  it('FHIR: the revoke transaction updates the DiagnosticReport and Observations to entered-in-error (200, same ids); a repeat creates nothing', async () => {
    receiver = await createReportReceiver({ http: false, mllp: false });
    type Answer = { entry: Array<{ response: { status: string; location: string } }> };
    const post = (bundle: unknown) => fetch(receiver!.urls.fhir!, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) }).then((r) => r.json() as Promise<Answer>);
    const ids = (answer: Answer) => answer.entry.map((e) => e.response.location.split('/_history')[0]);
    const first = await post(buildReportFhirBundle(v1, { now }));
    const revoke = await post(buildReportFhirBundle(revoked, { now }));
    expect(revoke.entry.map((e) => e.response.status)).toEqual(first.entry.map(() => '200 OK'));
    expect(ids(revoke)).toEqual(ids(first));
    const repeat = await post(buildReportFhirBundle(revoked, { now }));
    expect(ids(repeat)).toEqual(ids(first));
    expect(repeat.entry.every((e) => e.response.status === '200 OK')).toBe(true);

    const [drType, drId] = ids(first).at(-1)!.split('/');
    const dr = receiver.fhirResource(drType!, drId!) as { status: string; presentedForm: Array<{ data?: string; hash: string }>; result: Array<{ reference: string }>; subject: { reference: string } };
    expect(dr.status).toBe('entered-in-error');
    expect(dr.presentedForm[0]!.data).toBeUndefined();
    expect(dr.presentedForm[0]!.hash).toBeTruthy();
    expect(dr.subject.reference).toBe(ids(first)[0]);
    expect(dr.result.map((r) => r.reference)).toEqual(ids(first).slice(1, -1));
    for (const reference of ids(first).slice(1, -1)) {
      const [type, id] = reference!.split('/');
      expect((receiver.fhirResource(type!, id!) as { status: string }).status).toBe('entered-in-error');
    }
    const [a1, r1, ...rest] = receiver.arrivalsByOrder(requestNo);
    expect(rest).toEqual([]);
    expect(a1).toMatchObject({ channel: 'fhir', version: 1, action: 'publish', withdrawn: true, withdrawnBy: r1!.receiptNo });
    expect(r1).toMatchObject({ channel: 'fhir', version: 1, action: 'revoke', revocationReason: reason, document: null, duplicatesIgnored: 1 });
  });

  it('HL7: the revoke ORU (OBR-25 X, OBX-11 W, reason in NTE) is acknowledged AA and withdraws the publication; a repeat is acknowledged as one', async () => {
    receiver = await createReportReceiver({ http: false, fhir: false });
    const client = new MllpClient({ host: '127.0.0.1', port: receiver.ports.mllp!, responseTimeoutMs: 3000 });
    const options = { sendingApplication: 'PFTIS', sendingFacility: 'PFT', receivingApplication: 'HIS', receivingFacility: '', encoding: 'gbk' as const, now };
    try {
      const ackOf = async (bytes: Uint8Array) => {
        const answer = await client.send(bytes);
        const ack = answer.ok ? parseHl7Ack(answer.value, 'gbk') : null;
        return ack?.ok ? ack.value : null;
      };
      expect(await ackOf(buildReportOru(v1, options).bytes)).toMatchObject({ code: 'AA', text: '已接收' });
      const revoke = buildReportOru(revoked, options);
      expect(await ackOf(revoke.bytes)).toMatchObject({ code: 'AA', acknowledgedControlId: revoke.controlId, text: '已接收' });
      expect(await ackOf(revoke.bytes)).toMatchObject({ code: 'AA', text: expect.stringContaining('重复') });
    } finally {
      await client.close();
    }
    const [a1, r1, ...rest] = receiver.arrivalsByOrder(requestNo);
    expect(rest).toEqual([]);
    expect(a1).toMatchObject({ channel: 'mllp', action: 'publish', withdrawn: true, withdrawnBy: r1!.receiptNo, size: v1.pdf.bytes.length });
    expect(r1).toMatchObject({ channel: 'mllp', action: 'revoke', version: null, revocationReason: reason, conclusion: v1.conclusion.text, document: null, duplicatesIgnored: 1 });
  });

  it('file drop: the revoke is the sidecar alone (`…_revoked.json`), taken without a document; the same sidecar again is a duplicate', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-drop-'));
    temp.push(folder);
    receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, file: { folder, pollMs: 60_000 } });
    const pattern = '{requestNo}_{accessionNo}_v{version}';
    const settle = async () => (await receiver!.pollFiles()) + (await receiver!.pollFiles());
    await writeFile(path.join(folder, reportFileName(pattern, v1, 'pdf')), v1.pdf.bytes);
    await writeFile(path.join(folder, reportFileName(pattern, v1, 'json')), buildReportSidecar(v1, 'json').bytes);
    expect(await settle()).toBe(1);

    const name = reportFileName(pattern, revoked, 'json');
    expect(name).toBe('SQ2026112500815_PF20261125-0037_v1_revoked.json');
    await writeFile(path.join(folder, name), buildReportSidecar(revoked, 'json').bytes);
    expect(await settle()).toBe(1);
    expect(await readdir(folder)).toEqual(['done']);
    await writeFile(path.join(folder, reportFileName(pattern, revoked, 'xml')), buildReportSidecar(revoked, 'xml').bytes);
    expect(await settle()).toBe(1);
    expect((await readdir(path.join(folder, 'done'))).filter((f) => f.endsWith('_revoked.json') || f.endsWith('_revoked.xml'))).toHaveLength(2);

    const [a1, r1, ...rest] = receiver.arrivalsByOrder(requestNo);
    expect(rest).toEqual([]);
    expect(a1).toMatchObject({ channel: 'file', version: 1, action: 'publish', withdrawn: true, withdrawnBy: r1!.receiptNo, document: { kind: 'pdf' } });
    expect(r1).toMatchObject({ channel: 'file', version: 1, action: 'revoke', revocationReason: reason, document: null, duplicatesIgnored: 1, source: { sidecar: name, pages: '0' } });
  });

  it('file drop: a publication sidecar without its document still waits for it', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-drop-'));
    temp.push(folder);
    receiver = await createReportReceiver({ http: false, fhir: false, mllp: false, file: { folder, pollMs: 60_000 } });
    await writeFile(path.join(folder, reportFileName('{requestNo}_v{version}', v1, 'json')), buildReportSidecar(v1, 'json').bytes);
    expect((await receiver.pollFiles()) + (await receiver.pollFiles())).toBe(0);
    expect(receiver.arrivals()).toEqual([]);
  });
});
