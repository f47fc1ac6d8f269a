import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { MllpClient, frameMllp } from '@pftis/formats/hl7/mllp';
import { readOruForHis } from './hl7.js';
import { createReportReceiver, DEMO_RECEIVER_TOKEN, type ReportReceiver, type ReportReceiverOptions } from './receiver.js';

// A stand-in for the signed PDF: a receiver only stores and counts the bytes.
const PDF = new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'));
const JPG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

/** The shape of packages/formats/src/report/delivered-report.ts, as a sender would serialise it. */
function deliveredReport(o: { reportId?: string; requestNo: string; version: number; action?: 'publish' | 'replace'; conclusion?: string }) {
  const reportId = o.reportId ?? `rep-${o.requestNo}`;
  return {
    idempotencyKey: `${reportId}:${o.version}`,
    reportId,
    version: o.version,
    action: o.action ?? 'publish',
    supersedesVersion: o.action === 'replace' ? o.version - 1 : null,
    correctionReason: o.action === 'replace' ? '结论措辞更正' : null,
    hospital: { name: '演示医院', campusCode: 'A', campusName: '本部' },
    patient: { hisPatientId: 'P00000007', name: '张三', sex: 'male', birthDate: '1960-01-01', outpatientNo: 'MZ0007', inpatientNo: null },
    order: { requestNo: o.requestNo, accessionNo: `A-${o.requestNo}`, visitType: 'outpatient', visitSerialNo: 'MZLS0007', itemCode: 'FG001', itemName: '肺通气功能检查', examDate: '2026-11-25', requestingDepartment: '呼吸内科', requestingDoctor: '李医生' },
    results: [{ param: 'FEV1', label: 'FEV1', unit: 'L', stage: 'pre', value: 2.85, predicted: 3.4, lln: 2.7, uln: null, zScore: -1.2, pctPredicted: 84 }],
    conclusion: { text: o.conclusion ?? '轻度阻塞性通气功能障碍', summary: null, pattern: 'obstructive', severity: 'mild', bdr: null },
    technician: '赵技师',
    reporter: '钱医生',
    reviewer: '王主任',
    approvedAt: '2026-11-25T10:25:00+08:00',
    signatureSerial: '5A3F0012',
    verificationUrl: 'http://127.0.0.1/verify/x',
    pdf: { bytes: Buffer.from(PDF).toString('base64'), sha256: 'x', sm3: 'y' },
    jpgPages: null,
  };
}

function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

/** An ORU^R01 as PFTIS might send it: placer 申请单号, key in OBR-20, version OBX, conclusion, PDF as ED. */
function oru(o: {
  controlId: string;
  requestNo: string;
  version: number;
  corrected?: boolean;
  key?: string | null;
  patient?: string;
  charset?: string;
  /** A withdrawal: OBR-25 (default X) and every OBX-11 (default W) as given, no ED, the reason in an NTE. */
  revoke?: { resultStatus?: string; observationStatus?: string; reason: string };
}) {
  const message = [
    `MSH|^~\\&|PFTIS|PFT-LAB|DEMO-HIS|DEMO-HOSPITAL|20261125103000||ORU^R01^ORU_R01|${o.controlId}|P|2.5.1|||AL|NE||${o.charset ?? 'UNICODE UTF-8'}`,
    segment('PID', { 1: '1', 3: 'P00000007^^^DEMO^PI', 5: `${o.patient ?? '张三'}^`, 7: '19600101', 8: 'M' }),
    segment('PV1', { 1: '1', 2: 'O', 19: 'MZLS0007' }),
    segment('ORC', { 1: 'RE', 2: o.requestNo, 3: `A-${o.requestNo}` }),
    segment('OBR', { 1: '1', 2: o.requestNo, 3: `A-${o.requestNo}`, 4: 'FG001^肺通气功能检查^L', 7: '20261125100000', 20: o.key === null ? '' : (o.key ?? `rep-${o.requestNo}:${o.version}`), 22: '20261125102500+0800', 24: 'PF', 25: o.corrected ? 'C' : 'F', 32: '1001&王主任' }),
    segment('OBX', { 1: '1', 2: 'NM', 3: '20150-9^FEV1^LN', 5: '2.85', 6: 'L', 11: o.corrected ? 'C' : 'F' }),
    segment('OBX', { 1: '2', 2: 'FT', 3: 'CONCLUSION^结论^L', 5: '轻度阻塞性通气功能障碍', 11: 'F' }),
    segment('OBX', { 1: '3', 2: 'ST', 3: 'REPORT_VERSION^报告版本^L', 5: String(o.version), 11: 'F' }),
    segment('OBX', { 1: '4', 2: 'ST', 3: 'SIGNATURE_SERIAL^电子签章号^L', 5: '5A3F0012', 11: 'F' }),
    segment('OBX', { 1: '5', 2: 'ED', 3: 'PDF^报告^L', 5: `^AP^PDF^Base64^${Buffer.from(PDF).toString('base64')}`, 11: 'F' }),
  ];
  const revoke = o.revoke;
  if (!revoke) return message.join('\r');
  return message
    .filter((s) => !s.startsWith('OBX|5|ED'))
    .map((s) => {
      const f = s.split('|');
      if (f[0] === 'OBR') f[25] = revoke.resultStatus ?? 'X';
      if (f[0] === 'OBX') f[11] = revoke.observationStatus ?? 'W';
      return f.join('|');
    })
    .concat([`NTE|1|L|撤回原因：${revoke.reason}`])
    .join('\r');
}

/** A transaction Bundle with a conditional create of the DiagnosticReport by its identifier. */
function fhirBundle(o: { requestNo: string; version: number; status?: 'final' | 'corrected' }) {
  const key = `rep-${o.requestNo}:${o.version}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:patient', resource: { resourceType: 'Patient', identifier: [{ system: 'urn:demo:brid', value: 'P00000007' }], name: [{ text: '张三' }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:demo:brid|P00000007' } },
      { fullUrl: 'urn:uuid:order', resource: { resourceType: 'ServiceRequest', identifier: [{ system: 'urn:demo:sqdh', value: o.requestNo, type: { coding: [{ code: 'PLAC' }] } }], status: 'completed', intent: 'order', subject: { reference: 'urn:uuid:patient' } }, request: { method: 'POST', url: 'ServiceRequest', ifNoneExist: `identifier=urn:demo:sqdh|${o.requestNo}` } },
      { fullUrl: 'urn:uuid:fev1', resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '20150-9' }] }, valueQuantity: { value: 2.85, unit: 'L' } }, request: { method: 'POST', url: 'Observation' } },
      {
        fullUrl: 'urn:uuid:report',
        resource: {
          resourceType: 'DiagnosticReport',
          identifier: [{ system: 'urn:pftis:report', value: key }, { system: 'urn:demo:accession', value: `A-${o.requestNo}`, type: { coding: [{ code: 'ACSN' }] } }],
          basedOn: [{ reference: 'urn:uuid:order' }],
          status: o.status ?? 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '81458-2' }] },
          subject: { reference: 'urn:uuid:patient' },
          issued: '2026-11-25T10:25:00+08:00',
          resultsInterpreter: [{ display: '王主任' }],
          result: [{ reference: 'urn:uuid:fev1' }],
          conclusion: '轻度阻塞性通气功能障碍',
          presentedForm: [{ contentType: 'application/pdf', data: Buffer.from(PDF).toString('base64') }],
        },
        request: { method: 'POST', url: 'DiagnosticReport', ifNoneExist: `identifier=urn:pftis:report|${key}` },
      },
    ],
  };
}

let receiver: ReportReceiver | undefined;
const temp: string[] = [];
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  for (const dir of temp.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(options: ReportReceiverOptions = {}) {
  receiver = await createReportReceiver(options);
  return receiver;
}

const publish = (r: ReportReceiver, body: string, o: { key?: string; token?: string; contentType?: string } = {}) =>
  fetch(r.urls.reportPublish!, {
    method: 'POST',
    headers: { 'content-type': o.contentType ?? 'application/json', authorization: `Bearer ${o.token ?? DEMO_RECEIVER_TOKEN}`, ...(o.key ? { 'idempotency-key': o.key } : {}) },
    body,
  });

const postFhir = (r: ReportReceiver, bundle: unknown) => fetch(r.urls.fhir!, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });

const connectError = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

const fetchError = (url: string) =>
  fetch(url).then(
    () => 'answered',
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );

describe('HTTP report-publish web service', () => {
  it('stores a JSON report with its Idempotency-Key, answers a repeat as a duplicate, and refuses a wrong token', async () => {
    const r = await start({ mllp: false, fhir: false });
    const body = JSON.stringify(deliveredReport({ requestNo: 'SQ0001', version: 1 }));
    const first = await publish(r, body, { key: 'rep-SQ0001:1' });
    expect(first.status).toBe(200);
    const receipt = (await first.json()) as { code: number; message: string; receiptNo: string; duplicate: boolean };
    expect(receipt).toMatchObject({ code: 0, message: 'ok', duplicate: false });
    expect(receipt.receiptNo).toMatch(/^HIS\d{8}\d{6}$/);

    const again = (await (await publish(r, body, { key: 'rep-SQ0001:1' })).json()) as typeof receipt;
    expect(again).toMatchObject({ code: 0, duplicate: true, receiptNo: receipt.receiptNo });

    const denied = await publish(r, body, { key: 'rep-SQ0001:1', token: 'wrong' });
    expect(denied.status).toBe(401);

    expect(r.arrivals()).toHaveLength(1);
    const [arrival] = r.arrivalsByOrder('SQ0001');
    expect(arrival).toMatchObject({
      channel: 'http',
      orderNo: 'SQ0001',
      accessionNo: 'A-SQ0001',
      visitSerialNo: 'MZLS0007',
      version: 1,
      idempotencyKey: 'rep-SQ0001:1',
      action: 'publish',
      patientName: '张三',
      conclusion: '轻度阻塞性通气功能障碍',
      reviewer: '王主任',
      signatureSerial: '5A3F0012',
      size: PDF.length,
      duplicatesIgnored: 1,
      superseded: false,
    });
    expect(Buffer.from(arrival!.document!.bytes!).equals(Buffer.from(PDF))).toBe(true);
    expect(r.counts()).toMatchObject({ arrivals: 1, duplicatesIgnored: 1, refused: 1, orders: 1 });
  });

  it('reads an XML body in GBK, and a correction supersedes the first version', async () => {
    const r = await start({ mllp: false, fhir: false });
    await publish(r, JSON.stringify(deliveredReport({ requestNo: 'SQ0002', version: 1 })), { key: 'rep-SQ0002:1' });
    const xml = `<?xml version="1.0" encoding="GBK"?>
<report><idempotencyKey>rep-SQ0002:2</idempotencyKey><action>replace</action><version>2</version><supersedesVersion>1</supersedesVersion>
<patient><name>张三</name></patient><order><requestNo>SQ0002</requestNo><accessionNo>A-SQ0002</accessionNo></order>
<conclusion>中度阻塞性通气功能障碍</conclusion><reviewer>王主任</reviewer><pdf>${Buffer.from(PDF).toString('base64')}</pdf></report>`;
    const response = await publish(r, iconv.encode(xml, 'gbk') as unknown as string, { contentType: 'application/xml; charset=GBK' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ code: 0, duplicate: false });
    const [v1, v2] = r.arrivalsByOrder('SQ0002');
    expect(v2).toMatchObject({ version: 2, action: 'replace', replaces: 1, superseded: false, conclusion: '中度阻塞性通气功能障碍', patientName: '张三', size: PDF.length });
    expect(v1).toMatchObject({ version: 1, superseded: true, supersededBy: v2!.receiptNo });
  });

  it('answers 500, a business NAK (code 1001) and garbage when told to; garbage still stores, so the resend is a duplicate', async () => {
    const r = await start({ mllp: false, fhir: false });
    const body = JSON.stringify(deliveredReport({ requestNo: 'SQ0003', version: 1 }));
    await r.setMode('http500', 'http');
    expect((await publish(r, body, { key: 'k3' })).status).toBe(500);
    await r.setMode('nak', 'http');
    const nak = await publish(r, body, { key: 'k3' });
    expect(nak.status).toBe(200);
    expect(await nak.json()).toMatchObject({ code: 1001 });
    expect(r.arrivals()).toHaveLength(0);

    await r.setMode('malformedAck', 'http');
    const garbage = await publish(r, body, { key: 'k3' });
    await expect(garbage.clone().json()).rejects.toThrow();
    expect(r.arrivals()).toHaveLength(1);
    await r.setMode('up', 'http');
    expect(await (await publish(r, body, { key: 'k3' })).json()).toMatchObject({ code: 0, duplicate: true });
    expect(r.counts().byChannel.http).toEqual({ arrivals: 1, duplicatesIgnored: 1, refused: 2 });
  });

  it('goes down for real (ECONNREFUSED) and comes back on the same port; slow holds the answer back', async () => {
    const r = await start({ mllp: false, fhir: false });
    const port = r.ports.http!;
    await r.setMode('down', 'http');
    expect(await fetchError(r.urls.reportPublish!)).toBe('ECONNREFUSED');
    expect(await connectError(port)).toBe('ECONNREFUSED');
    await r.setMode('up', 'http');
    expect(r.ports.http).toBe(port);
    expect((await publish(r, JSON.stringify(deliveredReport({ requestNo: 'SQ0004', version: 1 })), { key: 'k4' })).status).toBe(200);

    await r.setMode('slow', 'http', { delayMs: 1500 });
    const timedOut = await fetch(r.urls.reportPublish!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_RECEIVER_TOKEN}`, 'idempotency-key': 'k5' },
      body: JSON.stringify(deliveredReport({ requestNo: 'SQ0005', version: 1 })),
      signal: AbortSignal.timeout(300),
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(timedOut).toBe('TimeoutError');
    expect(r.arrivalsByOrder('SQ0005')).toHaveLength(1); // stored; only the answer was late
  });
});

describe('FHIR R4 transaction endpoint', () => {
  it('creates the resources (201) and answers a repeat with the same ids (200) without creating anything', async () => {
    const r = await start({ mllp: false, http: false });
    const response = await postFhir(r, fhirBundle({ requestNo: 'SQ0101', version: 1 }));
    expect(response.status).toBe(200);
    const first = (await response.json()) as { resourceType: string; type: string; entry: Array<{ response: { status: string; location: string } }> };
    expect(first).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(first.entry.map((e) => e.response.status)).toEqual(['201 Created', '201 Created', '201 Created', '201 Created']);
    const location = first.entry[3]!.response.location;
    expect(location).toMatch(/^DiagnosticReport\/[0-9a-f-]{36}\/_history\/1$/);

    const [type, id] = location.split('/');
    const stored = (await (await fetch(`${r.urls.fhir}/${type}/${id}`)).json()) as { result: Array<{ reference: string }>; basedOn: Array<{ reference: string }> };
    expect(stored.result[0]!.reference).toBe(first.entry[2]!.response.location.split('/_history')[0]);
    expect(stored.basedOn[0]!.reference).toMatch(/^ServiceRequest\//);

    const again = (await (await postFhir(r, fhirBundle({ requestNo: 'SQ0101', version: 1 }))).json()) as typeof first;
    expect(again.entry.map((e) => e.response.status)).toEqual(['200 OK', '200 OK', '200 OK', '200 OK']);
    expect(again.entry.map((e) => e.response.location)).toEqual(first.entry.map((e) => e.response.location));

    expect(r.arrivals()).toHaveLength(1);
    expect(r.arrivals()[0]).toMatchObject({ channel: 'fhir', orderNo: 'SQ0101', accessionNo: 'A-SQ0101', version: 1, idempotencyKey: 'rep-SQ0101:1', reviewer: '王主任', patientName: '张三', size: PDF.length, duplicatesIgnored: 1 });

    // A corrected version: a new DiagnosticReport, the earlier one superseded; the Patient is matched, not duplicated.
    const corrected = (await (await postFhir(r, fhirBundle({ requestNo: 'SQ0101', version: 2, status: 'corrected' }))).json()) as typeof first;
    expect(corrected.entry.map((e) => e.response.status)).toEqual(['200 OK', '200 OK', '201 Created', '201 Created']);
    expect(r.arrivalsByOrder('SQ0101').map((a) => [a.version, a.action, a.superseded])).toEqual([
      [1, 'publish', true],
      [2, 'replace', false],
    ]);
  });

  it('answers 500 and 422 when told to, stores nothing; down refuses connections', async () => {
    const r = await start({ mllp: false, http: false });
    await r.setMode('http500', 'fhir');
    expect((await postFhir(r, fhirBundle({ requestNo: 'SQ0102', version: 1 }))).status).toBe(500);
    await r.setMode('nak', 'fhir');
    const nak = await postFhir(r, fhirBundle({ requestNo: 'SQ0102', version: 1 }));
    expect(nak.status).toBe(422);
    expect(await nak.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(r.arrivals()).toHaveLength(0);
    const port = r.ports.fhir!;
    await r.setMode('down', 'fhir');
    expect(await connectError(port)).toBe('ECONNREFUSED');
    await r.setMode('up');
    expect((await postFhir(r, fhirBundle({ requestNo: 'SQ0102', version: 1 }))).status).toBe(200);
    expect(r.arrivals()).toHaveLength(1);
  });
});

describe('HL7 v2 ORU^R01 over MLLP', () => {
  it('acknowledges AA with MSA-2 = MSH-10, stores once, and acknowledges repeats (same MSH-10, or same report key) without storing', async () => {
    const r = await start({ http: false, fhir: false });
    const client = new MllpClient({ host: '127.0.0.1', port: r.ports.mllp!, responseTimeoutMs: 3000 });
    try {
      const message = new TextEncoder().encode(oru({ controlId: 'MSG0001', requestNo: 'SQ0201', version: 1 }));
      const answer = await client.send(message);
      expect(answer.ok).toBe(true);
      const ack = parseHl7Ack(answer.ok ? answer.value : new Uint8Array());
      expect(ack.ok && ack.value).toMatchObject({ code: 'AA', acknowledgedControlId: 'MSG0001' });

      const repeat = await client.send(message);
      expect(repeat.ok && parseHl7Ack(repeat.value)).toMatchObject({ ok: true, value: { code: 'AA', acknowledgedControlId: 'MSG0001' } });
      const resent = await client.send(new TextEncoder().encode(oru({ controlId: 'MSG0002', requestNo: 'SQ0201', version: 1 })));
      expect(resent.ok && parseHl7Ack(resent.value)).toMatchObject({ ok: true, value: { code: 'AA', acknowledgedControlId: 'MSG0002' } });
      // Without a report key: 申请单号 + version still identify the repeat.
      const sameVersion = await client.send(new TextEncoder().encode(oru({ controlId: 'MSG0003', requestNo: 'SQ0201', version: 1, key: null })));
      expect(sameVersion.ok && parseHl7Ack(sameVersion.value)).toMatchObject({ ok: true, value: { code: 'AA' } });

      expect(r.arrivals()).toHaveLength(1);
      expect(r.arrivals()[0]).toMatchObject({
        channel: 'mllp',
        orderNo: 'SQ0201',
        accessionNo: 'A-SQ0201',
        visitSerialNo: 'MZLS0007',
        version: 1,
        idempotencyKey: 'rep-SQ0201:1',
        action: 'publish',
        patientName: '张三',
        conclusion: '轻度阻塞性通气功能障碍',
        reviewer: '王主任',
        approvedAt: '2026-11-25T10:25:00+08:00',
        signatureSerial: '5A3F0012',
        size: PDF.length,
        duplicatesIgnored: 3,
      });

      const corrected = await client.send(new TextEncoder().encode(oru({ controlId: 'MSG0004', requestNo: 'SQ0201', version: 2, corrected: true })));
      expect(corrected.ok && parseHl7Ack(corrected.value)).toMatchObject({ ok: true, value: { code: 'AA' } });
      expect(r.arrivalsByOrder('SQ0201').map((a) => [a.version, a.action, a.replaces, a.superseded])).toEqual([
        [1, 'publish', null, true],
        [2, 'replace', 1, false],
      ]);
    } finally {
      await client.close();
    }
  });

  it('decodes GBK when configured, and answers two frames that arrive in one chunk with two ACKs', async () => {
    const r = await start({ http: false, fhir: false, mllp: { encoding: 'gbk' } });
    const bytes = (id: string) => new Uint8Array(iconv.encode(oru({ controlId: id, requestNo: `SQ-${id}`, version: 1, patient: '欧阳娜娜', charset: '' }), 'gbk'));
    const socket = net.connect({ host: '127.0.0.1', port: r.ports.mllp! });
    const acks: string[] = [];
    const done = new Promise<void>((resolve) => {
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        const frames = buffer.toString('latin1').split('\x1c\r');
        buffer = Buffer.from(frames.pop()!, 'latin1');
        acks.push(...frames.map((f) => iconv.decode(Buffer.from(f.replace(/^\x0b/, ''), 'latin1'), 'gbk')));
        if (acks.length === 2) resolve();
      });
    });
    socket.write(Buffer.concat([Buffer.from(frameMllp(bytes('G1'))), Buffer.from(frameMllp(bytes('G2')))]));
    await done;
    socket.destroy();
    expect(acks.map((a) => /MSA\|(\w+)\|(\w+)/.exec(a)?.slice(1))).toEqual([
      ['AA', 'G1'],
      ['AA', 'G2'],
    ]);
    expect(r.arrivals().map((a) => a.patientName)).toEqual(['欧阳娜娜', '欧阳娜娜']);
    expect(r.arrivals()[0]!.conclusion).toBe('轻度阻塞性通气功能障碍');
  });

  it('fault injection: nak (AE/AR) stores nothing, malformedAck stores but answers garbage, slow times the client out, down refuses', async () => {
    const r = await start({ http: false, fhir: false });
    const port = r.ports.mllp!;
    const client = new MllpClient({ host: '127.0.0.1', port, responseTimeoutMs: 2000, connectTimeoutMs: 1000 });
    const send = async (id: string, requestNo: string) => client.send(new TextEncoder().encode(oru({ controlId: id, requestNo, version: 1 })));
    try {
      await r.setMode('nak', 'mllp');
      const ae = await send('F1', 'SQ0301');
      expect(ae.ok && parseHl7Ack(ae.value)).toMatchObject({ ok: true, value: { code: 'AE', acknowledgedControlId: 'F1', outcome: 'error' } });
      await r.setMode('nak', 'mllp', { nak: 'AR' });
      const ar = await send('F2', 'SQ0301');
      expect(ar.ok && parseHl7Ack(ar.value)).toMatchObject({ ok: true, value: { code: 'AR', outcome: 'rejected' } });
      expect(r.arrivals()).toHaveLength(0);

      await r.setMode('malformedAck', 'mllp');
      const garbage = await send('F3', 'SQ0301');
      expect(garbage.ok).toBe(true);
      expect(garbage.ok && parseHl7Ack(garbage.value).ok).toBe(false);
      expect(r.arrivals()).toHaveLength(1);

      await r.setMode('slow', 'mllp', { delayMs: 3000 });
      const slow = await client.send(new TextEncoder().encode(oru({ controlId: 'F4', requestNo: 'SQ0302', version: 1 })), 300);
      expect(slow.ok).toBe(false);
      expect(r.arrivalsByOrder('SQ0302')).toHaveLength(1);

      await r.setMode('down', 'mllp');
      expect(await connectError(port)).toBe('ECONNREFUSED');
      const refused = await send('F5', 'SQ0303');
      expect(refused.ok || refused.reason).toMatch(/ECONNREFUSED/);

      await r.setMode('up', 'mllp');
      expect(r.ports.mllp).toBe(port);
      const resend = await send('F3', 'SQ0301'); // the message whose ACK was garbage
      expect(resend.ok && parseHl7Ack(resend.value)).toMatchObject({ ok: true, value: { code: 'AA', acknowledgedControlId: 'F3' } });
      expect(r.arrivals()).toHaveLength(2);
      expect(r.counts().byChannel.mllp).toEqual({ arrivals: 2, duplicatesIgnored: 1, refused: 2 });
    } finally {
      await client.close();
    }
  });

  it('rejects what is not an ORU (AR) and an ORU without order numbers (AE)', async () => {
    const r = await start({ http: false, fhir: false });
    const client = new MllpClient({ host: '127.0.0.1', port: r.ports.mllp!, responseTimeoutMs: 2000 });
    try {
      const adt = await client.send(new TextEncoder().encode('MSH|^~\\&|X|Y|DEMO-HIS|DEMO-HOSPITAL|20261125||ADT^A08|A1|P|2.5\rPID|1||P1'));
      expect(adt.ok && parseHl7Ack(adt.value)).toMatchObject({ ok: true, value: { code: 'AR', acknowledgedControlId: 'A1' } });
      const noOrder = oru({ controlId: 'A2', requestNo: '', version: 1 }).replace(/\rORC\|[^\r]*/, '').replace(/OBR\|1\|\|A-\|/, 'OBR|1|||');
      const ae = await client.send(new TextEncoder().encode(noOrder));
      expect(ae.ok && parseHl7Ack(ae.value)).toMatchObject({ ok: true, value: { code: 'AE', acknowledgedControlId: 'A2' } });
      expect(r.arrivals()).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});

describe('file drop', () => {
  it('takes a PDF + JSON sidecar pair once settled, ignores a repeat, reads an XML sidecar with a JPEG, and moves a bad pair to error/', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-drop-'));
    temp.push(folder);
    const r = await start({ http: false, fhir: false, mllp: false, file: { folder, pollMs: 60_000 } });
    await writeFile(path.join(folder, 'rep-SQ0401-1.pdf'), PDF);
    await writeFile(path.join(folder, 'rep-SQ0401-1.json'), JSON.stringify({ ...deliveredReport({ requestNo: 'SQ0401', version: 1 }), pdf: undefined }));
    expect(await r.pollFiles()).toBe(0); // first sight: sizes noted, not yet taken
    expect(await r.pollFiles()).toBe(1);
    expect(r.arrivals()[0]).toMatchObject({ channel: 'file', orderNo: 'SQ0401', version: 1, idempotencyKey: 'rep-SQ0401:1', size: PDF.length, source: { document: 'rep-SQ0401-1.pdf' } });
    expect(await readdir(folder)).toEqual(['done']);

    // PFTIS retries under another name: same key, no second arrival.
    await writeFile(path.join(folder, 'retry.pdf'), PDF);
    await writeFile(path.join(folder, 'retry.pdf.json'), JSON.stringify({ ...deliveredReport({ requestNo: 'SQ0401', version: 1 }), pdf: undefined }));
    await r.pollFiles();
    expect(await r.pollFiles()).toBe(1);
    expect(r.arrivals()).toHaveLength(1);
    expect(r.arrivals()[0]!.duplicatesIgnored).toBe(1);

    await writeFile(path.join(folder, 'SQ0402.jpg'), JPG);
    await writeFile(path.join(folder, 'SQ0402.xml'), '<report><requestNo>SQ0402</requestNo><version>1</version><idempotencyKey>rep-SQ0402:1</idempotencyKey></report>');
    await writeFile(path.join(folder, 'bad.pdf'), PDF);
    await writeFile(path.join(folder, 'bad.json'), '{"version": 1}');
    await writeFile(path.join(folder, 'half.pdf.part'), PDF);
    await r.pollFiles();
    expect(await r.pollFiles()).toBe(1);
    expect(r.arrivalsByOrder('SQ0402')[0]).toMatchObject({ document: { kind: 'jpg', size: JPG.length } });
    const errors = await readdir(path.join(folder, 'error'));
    expect(errors.some((n) => n.endsWith('bad.json.reason.txt'))).toBe(true);
    expect(await readdir(folder)).toEqual(expect.arrayContaining(['half.pdf.part']));
  });

  it('down stops pickup and nak moves the pair to error/ without storing', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'pftis-drop-'));
    temp.push(folder);
    const r = await start({ http: false, fhir: false, mllp: false, file: { folder, pollMs: 60_000 } });
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'a.pdf'), PDF);
    await writeFile(path.join(folder, 'a.json'), JSON.stringify({ requestNo: 'SQ0501', version: 1 }));
    await r.setMode('down', 'file');
    expect(await r.pollFiles()).toBe(0);
    expect(await r.pollFiles()).toBe(0);
    await r.setMode('nak', 'file');
    await r.pollFiles();
    await r.pollFiles();
    expect(r.arrivals()).toHaveLength(0);
    expect((await readdir(path.join(folder, 'error'))).length).toBe(3);
  });
});

describe('the HIS page', () => {
  it('lists each order with its versions, channels and which version is superseded; GET /arrivals gives the same as JSON', async () => {
    const r = await start({ fhir: false });
    await publish(r, JSON.stringify(deliveredReport({ requestNo: 'SQ0601', version: 1 })), { key: 'rep-SQ0601:1' });
    const client = new MllpClient({ host: '127.0.0.1', port: r.ports.mllp!, responseTimeoutMs: 2000 });
    await client.send(new TextEncoder().encode(oru({ controlId: 'V2', requestNo: 'SQ0601', version: 2, corrected: true })));
    await client.close();

    const html = await (await fetch(r.urls.viewer!)).text();
    expect(html).toContain('申请单号 SQ0601');
    expect(html).toContain('张三');
    expect(html).toContain('已被替代');
    expect(html).toContain('更正（替代第 1 版）');
    expect(html).toContain('HL7 (MLLP)');
    expect(html).toContain('Web 服务');

    const listing = (await (await fetch(`${r.urls.viewer}arrivals?requestNo=SQ0601`)).json()) as {
      orders: Array<{ requestNo: string; versions: Array<{ version: number; channel: string; superseded: boolean }> }>;
      arrivals: Array<{ receiptNo: string; document: { size: number } }>;
    };
    expect(listing.orders).toEqual([
      expect.objectContaining({
        requestNo: 'SQ0601',
        versions: [expect.objectContaining({ version: 1, channel: 'http', superseded: true }), expect.objectContaining({ version: 2, channel: 'mllp', superseded: false })],
      }),
    ]);
    const pdf = await fetch(`${r.urls.viewer}arrivals/${listing.arrivals[1]!.receiptNo}/document`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).equals(Buffer.from(PDF))).toBe(true);

    // The page stays up while a channel is down.
    await r.setMode('down');
    expect((await fetch(r.urls.viewer!)).status).toBe(200);
  });
});

describe('revokes from other senders', () => {
  it('web service: a flat body with action 作废 and its reason withdraws the version; a repeat is a duplicate', async () => {
    const r = await start({ mllp: false, fhir: false });
    await publish(r, JSON.stringify(deliveredReport({ requestNo: 'SQ0701', version: 1 })), { key: 'rep-SQ0701:1' });
    const revoke = JSON.stringify({ requestNo: 'SQ0701', examNo: 'A-SQ0701', versionNo: '1', action: '作废', 作废原因: '申请单开错' });
    for (const duplicate of [false, true]) {
      const answer = await publish(r, revoke, { key: 'rep-SQ0701:1' });
      expect(await answer.json()).toMatchObject({ code: 0, duplicate });
    }
    expect(r.arrivalsByOrder('SQ0701').map((a) => [a.version, a.action, a.withdrawn, a.revocationReason, a.duplicatesIgnored])).toEqual([
      [1, 'publish', true, '申请单开错', 0],
      [1, 'revoke', false, '申请单开错', 1],
    ]);
  });

  it('FHIR: a conditional update to status cancelled withdraws the version; a repeat is a duplicate', async () => {
    const r = await start({ mllp: false, http: false });
    await postFhir(r, fhirBundle({ requestNo: 'SQ0702', version: 1 }));
    const key = 'rep-SQ0702:1';
    const revoke = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: {
            resourceType: 'DiagnosticReport',
            extension: [{ url: 'urn:demo:withdrawal-reason', valueString: '检查做错了人' }],
            identifier: [{ system: 'urn:pftis:report', value: key }, { system: 'urn:demo:accession', value: 'A-SQ0702', type: { coding: [{ code: 'ACSN' }] } }],
            basedOn: [{ identifier: { system: 'urn:demo:sqdh', value: 'SQ0702' } }],
            status: 'cancelled',
            code: { coding: [{ system: 'http://loinc.org', code: '81458-2' }] },
          },
          request: { method: 'PUT', url: `DiagnosticReport?identifier=urn:pftis:report|${key}` },
        },
      ],
    };
    const first = (await (await postFhir(r, revoke)).json()) as { entry: Array<{ response: { status: string; location: string } }> };
    expect(first.entry[0]!.response).toMatchObject({ status: '200 OK', location: expect.stringMatching(/\/_history\/2$/) });
    await postFhir(r, revoke);
    const [type, id] = first.entry[0]!.response.location.split('/');
    expect((r.fhirResource(type!, id!) as { status: string }).status).toBe('cancelled');
    expect(r.arrivalsByOrder('SQ0702').map((a) => [a.version, a.action, a.withdrawn, a.revocationReason, a.duplicatesIgnored])).toEqual([
      [1, 'publish', true, '检查做错了人', 0],
      [1, 'revoke', false, '检查做错了人', 1],
    ]);
  });

  it('HL7: OBR-25 X (with the key and version the sender put in) withdraws that version only; OBX-11 all W/D is read as a revoke too', async () => {
    const r = await start({ http: false, fhir: false });
    const client = new MllpClient({ host: '127.0.0.1', port: r.ports.mllp!, responseTimeoutMs: 3000 });
    try {
      for (const [controlId, version, corrected] of [['P1', 1, false], ['P2', 2, true]] as const) {
        await client.send(new TextEncoder().encode(oru({ controlId, requestNo: 'SQ0703', version, corrected })));
      }
      const revoke = oru({ controlId: 'R2', requestNo: 'SQ0703', version: 2, revoke: { reason: '患者信息错误' } });
      for (const text of ['已接收', '重复消息，已确认，未重复入库']) {
        const answer = await client.send(new TextEncoder().encode(revoke));
        expect(answer.ok && parseHl7Ack(answer.value)).toMatchObject({ ok: true, value: { code: 'AA', acknowledgedControlId: 'R2', text } });
      }
    } finally {
      await client.close();
    }
    expect(r.arrivalsByOrder('SQ0703').map((a) => [a.version, a.action, a.superseded, a.withdrawn, a.revocationReason, a.size])).toEqual([
      [1, 'publish', true, false, null, PDF.length],
      [2, 'replace', false, true, '患者信息错误', PDF.length],
      [2, 'revoke', false, false, '患者信息错误', 0],
    ]);
    expect(r.arrivalsByOrder('SQ0703')[2]!.conclusion).toBe('轻度阻塞性通气功能障碍');

    const deleted = readOruForHis(oru({ controlId: 'D1', requestNo: 'SQ0704', version: 1, revoke: { resultStatus: '', observationStatus: 'D', reason: '重复' } }));
    expect(deleted.ok && deleted.value.fields).toMatchObject({ action: 'revoke', revocationReason: '重复', version: 1 });
    expect(readOruForHis(oru({ controlId: 'P1', requestNo: 'SQ0704', version: 1 }))).toMatchObject({ ok: true, value: { fields: { action: 'publish', revocationReason: null } } });
  });
});
