import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { nddTestResult } from '@pftis/his-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { hospitalWallClock } from '../../platform/hospital-time.js';
import { given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { approvedReport, reportingTeam, type ReportingTeam, TEST_PIN } from '../../test/reports.js';
import { jpegSize } from './render/test-support.js';

/** poppler on a PDF (its tools read files only). */
function poppler(tool: 'pdftotext' | 'pdfsig' | 'pdfimages', pdf: Buffer, args: string[] = []) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pftis-out-')), 'report.pdf');
  writeFileSync(file, pdf);
  const out = execFileSync(tool, tool === 'pdftotext' ? [...args, file, '-'] : [...args, file]);
  return out.toString('utf8');
}
const compact = (text: string) => text.replace(/\s+/g, '');
/** Text in drawing order, whitespace removed (pdftotext spaces CJK text unpredictably). */
const rawText = (pdf: Buffer) => compact(poppler('pdftotext', pdf, ['-raw', '-enc', 'UTF-8']));
/** Pixel sizes of the images the PDF draws, from `pdfimages -list`. */
function images(pdf: Buffer): Array<{ width: number; height: number }> {
  return poppler('pdfimages', pdf, ['-list'])
    .trim().split('\n').slice(2)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[2] === 'image')
    .map((cols) => ({ width: Number(cols[3]), height: Number(cols[4]) }));
}
const minute = (at: Date) => compact(hospitalWallClock(at).slice(0, 16));

describe.each(backends)('the final report as printed (PFTIS on %s)', (kind) => {
  let t: TestApp;
  /**
   * The server's clock, running from the next minute on; moved forward a quarter of an hour before each review step,
   * to 20 s into a minute, so that every signer has a minute of their own. (Never back: the department CA is from now.)
   */
  const start = Math.ceil(Date.now() / 60_000) * 60_000;
  let offsetMs = start + 20_000 - Date.now();
  let minutes = 0;
  const advance = () => {
    minutes += 15;
    const at = new Date(start + minutes * 60_000 + 20_000);
    offsetMs = at.getTime() - Date.now();
    return at;
  };
  let east: ReportingTeam;
  let west: ReportingTeam;
  let adminName: string;

  beforeAll(async () => {
    t = await testApp(kind, { now: () => new Date(Date.now() + offsetMs) });
    [east, west] = [await reportingTeam(t.services), await reportingTeam(t.services)];
    adminName = (await given(t).user({ roles: ['system_admin'], campusIds: [east.campus.id, west.campus.id] })).username;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Registered, the simulated device result imported, drafted; the caller submits and approves. */
  async function draft(team: ReportingTeam, n: number) {
    const exam = await t.services.exams.registerManually(team.technician, {
      patient: { name: `签名患者${n}`, sex: 'male', birthDate: '1966-04-02' }, itemName: '肺通气功能检查', visitType: 'outpatient', heightCm: 170, weightKg: 66,
    });
    const bytes = nddTestResult({ sex: 'male', ageYears: 60, heightCm: 170, accessionNo: exam.accessionNo, patientId: `S${n}`, bronchodilator: false }, new Date(Date.now() + offsetMs), 100 + n);
    expect(await t.services.deviceImport.receive(systemActor('test'), { bytes, originalName: 'r.xml', source: 'api', deviceId: null, campusId: team.campus.id })).toMatchObject({ status: 'imported' });
    const { reportId } = await t.services.review.create(team.technician, exam.examId);
    await t.services.review.save(team.technician, reportId, { conclusionText: '肺通气功能正常。', pattern: 'normal', severity: 'none', bdr: null });
    return { examId: exam.examId, reportId };
  }

  /** Submits as the technician and approves at both levels, a quarter of an hour apart; returns each step's time. */
  async function signOff(team: ReportingTeam, reportId: string) {
    const submitted = advance();
    await t.services.review.submit(team.technician, reportId);
    const reported = advance();
    await t.services.review.approve(team.reporter, reportId, TEST_PIN);
    const reviewed = advance();
    expect((await t.services.review.approve(team.reviewer, reportId, TEST_PIN)).status).toBe('approved');
    return { submitted, reported, reviewed };
  }

  async function finalPdf(team: ReportingTeam, reportId: string) {
    const tech = await signIn(t, team.technician.username);
    const response = await tech.request('GET', `/api/reports/${reportId}/pdf`);
    expect(response.headers['x-report-final']).toBe('1');
    return response.rawPayload;
  }

  it('signs the 检查技师 line with the person who did the test and when, never “（未签）”', async () => {
    const { reportId } = await draft(east, 1);
    const at = await signOff(east, reportId);
    const pdf = await finalPdf(east, reportId);
    const text = rawText(pdf);
    // The submitter performed it (the device recorded nobody); each signer with their own time, in order.
    expect(text).toContain(`检查技师：王技师${minute(at.submitted)}报告医师：李医师${minute(at.reported)}审核医师：张主任${minute(at.reviewed)}`);
    expect(text).not.toContain('未签');
    expect(poppler('pdfsig', pdf)).toContain('Signature is Valid');
  });

  it('prefers the operator the device recorded, with the time it measured', async () => {
    const { examId, reportId } = await draft(east, 2);
    // As a device printout read by its layout template records it (ndd XML carries no operator).
    await sql`update measurement_set set operator = ${'赵敏'}, measured_at = ${'2026-12-01T08:31:07'} where exam_id = ${examId}`.execute(t.database.db);
    const at = await signOff(east, reportId);
    const text = rawText(await finalPdf(east, reportId));
    expect(text).toContain(`检查技师：赵敏2026-12-0108:31报告医师：李医师${minute(at.reported)}`);
    expect(text).not.toContain('王技师');
  });

  it('names no 检查技师 on a draft nobody has submitted whose device recorded no one (not the registrar)', async () => {
    const { examId } = await draft(east, 3);
    const { final, pdf } = await t.services.review.exportForExam(systemActor('test'), examId);
    expect(final).toBe(false);
    const text = rawText(Buffer.from(pdf));
    expect(text).toContain('草稿');
    expect(text).not.toContain('检查技师');
    expect(text).not.toContain('王技师');
  });

  it('prints by the layout set through the API: title, sections, column order, the campus’s logo, JPG resolution', async () => {
    const canvas = createCanvas(37, 23);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#0e6e8c';
    ctx.fillRect(0, 0, 37, 23);
    const logo = `data:image/png;base64,${(await canvas.encode('png')).toString('base64')}`;
    // signed in now: the clock has moved on by hours since the team was set up
    const admin = await signIn(t, adminName);
    const current = (await admin.request('GET', '/api/report-layout')).json();
    const saved = await admin.request('PUT', '/api/report-layout', {
      ...current,
      title: '肺功能检测报告单',
      sections: ['patient', 'results', 'interpretation', 'signatures'],
      columns: ['measured', 'lln', 'zScore', 'pctPredicted'],
      logos: { [east.campus.id]: logo },
      jpgDpi: 100,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ title: '肺功能检测报告单', jpgDpi: 100, columns: ['measured', 'lln', 'zScore', 'pctPredicted'] });
    const audited = await t.database.db.selectFrom('auditLog').select('after').where('action', '=', 'report.layout-updated').executeTakeFirstOrThrow();
    expect(audited.after).toMatchObject({ title: '肺功能检测报告单', logos: [east.campus.id] });

    const [atEast, atWest] = [await approvedReport(t.services, east), await approvedReport(t.services, west)];
    const [eastPdf, westPdf] = [await finalPdf(east, atEast.reportId), await finalPdf(west, atWest.reportId)];
    for (const pdf of [eastPdf, westPdf]) {
      const layout = poppler('pdftotext', pdf, ['-layout', '-enc', 'UTF-8']);
      expect(compact(layout)).toContain('肺功能检测报告单');
      expect(compact(layout)).not.toContain('肺功能检查报告');
      // the sections left out are not printed
      expect(compact(layout)).not.toContain('流量-容积曲线');
      expect(compact(layout)).not.toContain('质量等级');
      expect(compact(layout)).toContain('肺通气功能正常。');
      // the columns in the order chosen, and only those
      const header = layout.split('\n').find((l) => l.includes('实测值')) ?? '';
      const order = [/实测值/, /正常低限/, /Z\s*值/, /实测\/预计%/].map((re) => header.search(re));
      expect(order.every((i) => i >= 0), header).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(header).not.toContain('预计值');
      expect(header).not.toMatch(/Z\s*值\s*图/);
      expect(poppler('pdfsig', pdf)).toContain('Signature is Valid');
    }
    // The logo only on the campus it was set for.
    expect(images(eastPdf)).toContainEqual({ width: 37, height: 23 });
    expect(images(westPdf)).not.toContainEqual({ width: 37, height: 23 });
    expect(images(eastPdf).length - images(westPdf).length).toBe(1);

    // JPG pages of the final report at the layout's 100 dpi: A4 is 595.28 × 841.89 pt.
    const tech = await signIn(t, east.technician.username);
    const page = await tech.request('GET', `/api/reports/${atEast.reportId}/versions/1/pages/1`);
    expect(page.headers['content-type']).toBe('image/jpeg');
    expect(jpegSize(page.rawPayload)).toEqual({ width: 827, height: 1169 });
  });

  it('refuses a damaged logo (it would be drawn on every report of the campus) and keeps the layout in force', async () => {
    const admin = await signIn(t, adminName);
    const current = (await admin.request('GET', '/api/report-layout')).json();
    const damaged = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 255))]);
    const refused = await admin.request('PUT', '/api/report-layout', { ...current, title: '不应保存', logos: { ...current.logos, [west.campus.id]: `data:image/png;base64,${damaged.toString('base64')}` } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'report.logo-unreadable', title: expect.stringContaining('院徽图片无法读取') });
    expect((await admin.request('GET', '/api/report-layout')).json()).toEqual(current);
  });
});
