import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdir, readFile as readBytes } from 'node:fs/promises';
import { nddTestResult } from '@pftis/his-sim';
import { createServices } from './app.js';
import { openPglite } from './db/database.js';
import type { Actor } from './platform/access.js';
import { systemActor } from './platform/audit.js';
import { loadConfig } from './platform/config.js';
import { resolveSecretKey } from './platform/secret-key.js';
import { jpegSize } from './modules/reports/render/test-support.js';
import { approvedReport, reportingTeam } from './test/reports.js';

const bin = path.resolve(import.meta.dirname, '../bin/pftis.mjs');

async function pftis(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pftis command line (embedded database)', () => {
  it('migrates, manages users, and verifies the audit chain until someone tampers with it', async () => {
    const env = { PFTIS_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'pftis-cli-')), USER: 'ops' };
    expect((await pftis(['migrate'], env)).stdout).toMatch(/applied \d+ migration\(s\): 202611251200_foundation, /);
    expect((await pftis(['migrate'], env)).stdout).toMatch(/database is up to date/);

    const added = await pftis(['user', 'add', 'li.hua', '--name', '李华', '--role', 'security_admin'], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/user li\.hua created with temporary password \S+ \(must be changed at first login\)/);
    const unknownRole = await pftis(['user', 'add', 'x', '--role', 'wizard'], env);
    expect(unknownRole.code).toBe(2);
    expect(unknownRole.stderr).toMatch(/unknown role wizard; known: .*technician/);

    expect((await pftis(['user', 'lock', 'li.hua'], env)).stdout).toMatch(/user li\.hua locked/);
    expect((await pftis(['user', 'unlock', 'li.hua'], env)).stdout).toMatch(/user li\.hua unlocked/);
    expect((await pftis(['user', 'passwd', 'li.hua', '--password', 'Another-Pass-9'], env)).stdout).toMatch(/password of li\.hua reset/);
    const weak = await pftis(['user', 'passwd', 'li.hua', '--password', 'weak'], env);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/密码长度至少 10 位/);
    expect((await pftis(['user', 'lock', 'nobody'], env)).code).toBe(1);

    const intact = await pftis(['audit', 'verify'], env);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit chain intact: 4 entries/);

    const database = await openPglite(env.PFTIS_DATA_DIR);
    const { id } = await database.db.selectFrom('auditLog').select('id').where('action', '=', 'user.locked').executeTakeFirstOrThrow();
    await sql.raw('alter table audit_log disable trigger audit_log_no_update').execute(database.db);
    await sql.raw(`update audit_log set actor_name = 'nobody' where id = ${id}`).execute(database.db);
    await database.close();

    const broken = await pftis(['audit', 'verify'], env);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(new RegExp(`audit chain BROKEN at entry ${id} \\(content-altered\\)`));
  }, 240_000);

  it('renders an unapproved report only as a 草稿 draft, never as a final one', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-cli-'));
    const env = { PFTIS_DATA_DIR: dataDir, USER: 'ops' };
    expect((await pftis(['migrate'], env)).code).toBe(0);
    // An exam with device results and a drafted report, made through the services as the web app would.
    const config = loadConfig({ PFTIS_DATA_DIR: dataDir, PFTIS_LOG_LEVEL: 'silent' });
    const database = await openPglite(dataDir);
    const services = createServices({ config, database, secretKey: resolveSecretKey(config) });
    const campus = await services.org.createCampus(systemActor('test'), { code: 'MAIN', name: '本院' });
    const actor = { userId: null as unknown as string, username: 'cli-test', displayName: '测试', campusId: campus.id, campusIds: [campus.id], permissions: new Set(['report.draft']) } as unknown as Actor;
    const exam = await services.exams.registerManually(actor, { patient: { name: '测试患者', sex: 'male', birthDate: '1970-03-01' }, itemName: '肺通气功能检查', visitType: 'outpatient', heightCm: 170, weightKg: 70 });
    const bytes = nddTestResult({ sex: 'male', ageYears: 56, heightCm: 170, accessionNo: exam.accessionNo, patientId: 'X1', bronchodilator: false }, new Date(), 7);
    await services.deviceImport.receive(systemActor('test'), { bytes, originalName: 'r.xml', source: 'api', deviceId: null, campusId: campus.id });
    await services.review.create(actor, exam.examId);
    await database.close();

    const out = path.join(dataDir, 'report.pdf');
    const rendered = await pftis(['render', exam.examId, '--out', out, '--jpg', path.join(dataDir, 'pages')], env);
    expect(rendered.stdout).toMatch(/version 1 is not approved: DRAFT/);
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', out, '-']).toString('utf8').replace(/\s+/g, '');
    expect(text).toContain('草稿');
    expect(text).toContain('测试患者');
    expect((await readBytes(out)).includes('/ByteRange')).toBe(false);
    expect(await readdir(path.join(dataDir, 'pages'))).toEqual(['page-1.jpg']);
    const unknown = await pftis(['render', '00000000-0000-4000-8000-000000000000', '--out', out], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);
    expect((await pftis(['render', 'nonsense', '--out', out], env)).code).toBe(2);
  }, 240_000);

  it('renders an approved report as the signed final PDF, and its pages as JPG at the layout’s resolution', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-cli-'));
    const env = { PFTIS_DATA_DIR: dataDir, USER: 'ops' };
    expect((await pftis(['migrate'], env)).code).toBe(0);
    // Approved through the services with the signers' PINs, as the web app does; the lab prints JPG pages at 96 dpi.
    const config = loadConfig({ PFTIS_DATA_DIR: dataDir, PFTIS_LOG_LEVEL: 'silent' });
    const database = await openPglite(dataDir);
    const services = createServices({ config, database, secretKey: resolveSecretKey(config) });
    const team = await reportingTeam(services, 'CLI');
    const approved = await approvedReport(services, team, { conclusion: '肺通气功能正常（命令行）。' });
    await services.reports.updateLayout(systemActor('test'), { ...(await services.reports.layout()), jpgDpi: 96 });
    const stored = await database.db.selectFrom('reportVersion').select(['finalSha256', 'status']).where('reportId', '=', approved.reportId).executeTakeFirstOrThrow();
    await database.close();
    expect(stored).toEqual({ finalSha256: approved.final.sha256, status: 'approved' });

    const out = path.join(dataDir, 'final.pdf');
    const pages = path.join(dataDir, 'final-pages');
    const rendered = await pftis(['render', approved.examId, '--out', out, '--jpg', pages], env);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toMatch(/version 1: signed final report written to/);
    const pdf = await readBytes(out);
    // The stored signed document itself, not a new rendering.
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(approved.final.sha256);
    expect(execFileSync('pdfsig', [out]).toString('utf8')).toContain('Signature is Valid');
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', out, '-']).toString('utf8').replace(/\s+/g, '');
    expect(text).not.toMatch(/[草稿]/);
    expect(text).toContain(approved.accessionNo);
    expect(text).toContain('肺通气功能正常（命令行）。');
    const files = (await readdir(pages)).sort();
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files).toEqual(files.map((_, i) => `page-${i + 1}.jpg`).sort());
    expect(rendered.stdout).toContain(`${files.length} page(s) written to ${pages}`);
    for (const file of files) {
      // A4 (595.28 × 841.89 pt) at 96 dpi
      expect(jpegSize(await readBytes(path.join(pages, file))), file).toEqual({ width: 794, height: 1123 });
    }
    const reopened = await openPglite(dataDir);
    const exported = await reopened.db.selectFrom('auditLog').select(['actorName', 'detail']).where('action', '=', 'report.exported').where('entityId', '=', approved.reportId).execute();
    await reopened.close();
    expect(exported).toEqual([{ actorName: expect.stringContaining('cli:ops'), detail: { version: 1 } }]);
  }, 240_000);

  it('names the database it could not reach, in one line, and exits non-zero', async () => {
    const env = { DATABASE_URL: 'postgres://pftis:secret@127.0.0.1:1/pftis', PFTIS_SECRET_KEY: 'ab'.repeat(32) };
    for (const command of ['migrate', 'start']) {
      const result = await pftis([command], env);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('pftis: cannot connect to PostgreSQL at postgres://pftis:***@127.0.0.1:1/pftis: ECONNREFUSED');
    }
  }, 60_000);

  it('evaluates reference values and interprets exams from CSV files', async () => {
    const { writeFile, readFile } = await import('node:fs/promises');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pftis-csv-'));
    await writeFile(`${dir}/ref.csv`, 'equation,param,sex,age,height_cm,ethnicity,measured\ngli2022,FEV1,male,45.5,175,,3.2\nnhanes3,FEV1,male,20,175,unknown,\n');
    const ref = await pftis(['ref', '--in', `${dir}/ref.csv`, '--out', `${dir}/ref-out.csv`], {});
    expect(ref.stdout).toMatch(/ref: 2 row\(s\) written/);
    const [header, first, second] = (await readFile(`${dir}/ref-out.csv`, 'utf8')).trim().split('\n');
    expect(header).toMatch(/predicted,lln,uln,zscore,pct_pred/);
    expect(first).toMatch(/,ok,$/);
    expect(second).toMatch(/refused/);
    await writeFile(`${dir}/exams.csv`, 'sex,age,height_cm,fev1,fvc,post_fev1,post_fvc\nmale,60,170,1.9,3.6,2.2,3.7\n');
    const interpreted = await pftis(['interpret', '--in', `${dir}/exams.csv`, '--out', `${dir}/exams-out.csv`], {});
    expect(interpreted.code).toBe(0);
    expect(await readFile(`${dir}/exams-out.csv`, 'utf8')).toMatch(/obstruction.*阻塞性通气功能障碍/);
    const missing = await pftis(['interpret', '--in', `${dir}/ref.csv`, '--out', `${dir}/x.csv`], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/fev1/);
  }, 60_000);

  it('refuses a server database without an encryption key, and explains usage', async () => {
    const result = await pftis(['start'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PFTIS_SECRET_KEY .* is required when DATABASE_URL is set/);
    const help = await pftis(['frobnicate'], {});
    expect(help.code).toBe(2);
    expect(help.stderr).toMatch(/unknown command frobnicate[\s\S]*pftis user add/);
  });
});

describe('pftis ref / interpret: lab settings, flags, columns', () => {
  const writeFile = async (file: string, text: string) => (await import('node:fs/promises')).writeFile(file, text);
  const readFile = async (file: string) => (await import('node:fs/promises')).readFile(file, 'utf8');

  it('uses a settings file, lets --scheme and --out-of-range override it, and pins the output columns', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pftis-settings-'));
    await writeFile(`${dir}/lab.json`, JSON.stringify({
      reference: { defaults: { spirometry: { equation: 'gli2012', ethnicity: 3 } }, outOfRange: 'refuse' },
      interpretation: { scheme: 'china2014' },
    }));
    await writeFile(`${dir}/exams.csv`, 'sex,age,height_cm,fev1,fvc,dlco_si,va\nmale,60,170,1.6,3.6,4.5,4.5\nmale,45,172,2.2,3.0,,\n');
    const china = await pftis(['interpret', '--in', `${dir}/exams.csv`, '--out', `${dir}/china.csv`, '--settings', `${dir}/lab.json`], {});
    expect(china.code, china.stderr).toBe(0);
    const lines = (await readFile(`${dir}/china.csv`)).trim().split('\n');
    expect(lines[0]).toBe(
      'sex,age,height_cm,fev1,fvc,dlco_si,va,' +
        'fev1_z,fev1_pct_pred,fvc_z,fvc_pct_pred,fev1fvc_z,fev1fvc_pct_pred,post_fev1_z,post_fev1_pct_pred,post_fvc_z,post_fvc_pct_pred,' +
        'post_fev1fvc_z,post_fev1fvc_pct_pred,tlc_z,tlc_pct_pred,rv_z,rv_pct_pred,frc_z,frc_pct_pred,rvtlc_z,rvtlc_pct_pred,' +
        'dlco_si_z,dlco_si_pct_pred,va_z,va_pct_pred,kco_si_z,kco_si_pct_pred,mmef_z,mmef_pct_pred,fef75_z,fef75_pct_pred,' +
        'dlco_si_hb_corrected,pattern,severity,bdr,gas_transfer,small_airway_dysfunction,narrative_zh,narrative_en,scheme,equations,status,message',
    );
    expect(lines[1]).toMatch(/,obstruction,[a-z_]+,,reduced_mixed,,(轻度|中度|中重度|重度|极重度)阻塞性通气功能障碍，[^,]*弥散功能障碍（肺泡容积及比弥散量均降低）,.*,china2014,spirometry=gli2012\(3\) transfer=gli2017,ok,/);
    expect(lines[2]).toMatch(/,restriction,.*(轻度|中度|中重度|重度|极重度)限制性通气功能障碍,.*,china2014,spirometry=gli2012\(3\),ok,$/);

    const ats = await pftis(['interpret', '--in', `${dir}/exams.csv`, '--out', `${dir}/ats.csv`, '--settings', `${dir}/lab.json`, '--scheme', 'ats2022'], {});
    expect(ats.code, ats.stderr).toBe(0);
    expect((await readFile(`${dir}/ats.csv`)).trim().split('\n')[2]).toMatch(/,possible_restriction,.*,ats2022,/);

    await writeFile(`${dir}/ref.csv`, 'equation,param,sex,age,height_cm,ethnicity,measured\ngli2021,TLC,male,83,175,,6\ngli2022,FEV1,male,40,175,3,3.2\n');
    const refused = await pftis(['ref', '--in', `${dir}/ref.csv`, '--out', `${dir}/ref-out.csv`, '--settings', `${dir}/lab.json`], {});
    expect(refused.code).toBe(0);
    const refLines = (await readFile(`${dir}/ref-out.csv`)).trim().split('\n');
    expect(refLines[0]).toBe('equation,param,sex,age,height_cm,ethnicity,measured,L,M,S,predicted,lln,uln,zscore,pct_pred,status,message');
    expect(refLines[1]).toMatch(/,refused,age 83 y is outside the GLI-2021 volumes range 5-80 y$/);
    expect(refLines[2]).toMatch(/,ok,"?ethnicity ""?3""? ignored: gli2022 takes no ethnic group"?$/);
    await pftis(['ref', '--in', `${dir}/ref.csv`, '--out', `${dir}/ref-x.csv`, '--settings', `${dir}/lab.json`, '--out-of-range', 'extrapolate'], {});
    expect((await readFile(`${dir}/ref-x.csv`)).trim().split('\n')[1]).toMatch(/,extrapolated,age 83 y is outside the GLI-2021 volumes range 5-80 y; extrapolated$/);
  }, 180_000);

  it('refuses bad settings and flags with a clear English message', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pftis-settings-'));
    await writeFile(`${dir}/in.csv`, 'sex,age,height_cm,fev1,fvc\nmale,40,175,3,4\n');
    const run = (...extra: string[]) => pftis(['interpret', '--in', `${dir}/in.csv`, '--out', `${dir}/out.csv`, ...extra], {});
    await writeFile(`${dir}/bad.json`, JSON.stringify({ reference: { defaults: { spirometry: { equation: 'gli2099' }, transfer: { equation: 'gli2017', ethnicity: 3 } } }, interpretation: { scheme: 'gold' }, colour: 'red' }));
    const bad = await run('--settings', `${dir}/bad.json`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`pftis: settings ${dir}/bad.json is not valid lab settings:`);
    expect(bad.stderr).toContain('reference.defaults.spirometry.equation: equation must be one of gli2022, gli2012, jian2017, nhanes3');
    expect(bad.stderr).toContain('reference.defaults.transfer.ethnicity: gli2017 takes no ethnicity');
    expect(bad.stderr).toContain('interpretation.scheme: scheme must be ats2022 or china2014');
    expect(bad.stderr).toMatch(/\(top level\): Unrecognized key:? "colour"/);
    await writeFile(`${dir}/broken.json`, '{ "reference": ');
    expect((await run('--settings', `${dir}/broken.json`)).stderr).toMatch(/settings .*broken\.json is not valid JSON/);
    expect((await run('--settings', `${dir}/missing.json`)).stderr).toMatch(/cannot read settings .*missing\.json: ENOENT/);
    expect((await run('--scheme', 'gold')).stderr).toMatch(/--scheme must be ats2022 or china2014, not gold/);
    expect((await run('--out-of-range', 'maybe')).stderr).toMatch(/--out-of-range must be refuse or extrapolate, not maybe/);
    const refScheme = await pftis(['ref', '--in', `${dir}/in.csv`, '--out', `${dir}/out.csv`, '--scheme', 'china2014'], {});
    expect([refScheme.code, refScheme.stderr]).toEqual([2, expect.stringMatching(/--scheme applies to pftis interpret only/)]);
    const help = await pftis(['help'], {});
    expect(help.stdout).toMatch(/--settings LAB\.json[\s\S]*dlco_si_hb_corrected[\s\S]*reduced_unexplained \(VA and KCO normal\)/);
  }, 180_000);
});

describe('pftis parse', () => {
  it('prints what a printed device report holds, read by its layout template, as JSON; and says why it cannot read a file', async () => {
    const { devicePrintout } = await import('@pftis/his-sim');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pftis-parse-'));
    const file = path.join(dir, 'report.pdf');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, devicePrintout('chinese', {
      institution: '测试医院',
      patient: { name: '张三', id: 'P42', sex: 'M', birthDate: '1960-02-01', age: 66, heightCm: 170, weightKg: 65 },
      identifiers: { accessionNo: 'ACC-42', requestNo: 'SQ-42', outpatientSerial: 'MZ-42', inpatientSerial: null },
      test: { measuredAt: '2026-12-07T09:30:00', operator: '王技师', device: 'PFT-3000', deviceSerial: 'SN-1', qualityGrade: 'A' },
      results: [{ param: 'FEV1', predicted: 3.1, lln: 2.4, pre: 2.35, preZ: -1.7, prePctPred: 76 }, { param: 'FVC', predicted: 3.9, lln: 3.1, pre: 3.52, preZ: -0.8, prePctPred: 90 }],
      conclusion: '轻度阻塞性通气功能障碍',
    }));
    const parsed = await pftis(['parse', file, '--template', 'cn-pft-generic', '--json'], {});
    expect(parsed.code, parsed.stderr).toBe(0);
    const json = JSON.parse(parsed.stdout);
    expect(Object.keys(json)).toEqual(['format', 'vendor', 'template', 'patient', 'identifiers', 'test', 'measurements', 'conclusion', 'warnings']);
    expect(json).toMatchObject({ format: 'pdf', template: 'cn-pft-generic@1', patient: { name: '张三', sex: 'M', birthDate: '1960-02-01' }, identifiers: { accessionNo: 'ACC-42', requestNo: 'SQ-42', outpatientSerial: 'MZ-42' }, conclusion: '轻度阻塞性通气功能障碍' });
    expect(json.measurements.map((m: { param: string; value: number; predicted: number; lln: number; zscore: number; pctPred: number }) => [m.param, m.value, m.predicted, m.lln, m.zscore, m.pctPred])).toEqual([
      ['FEV1', 2.35, 3.1, 2.4, -1.7, 76], ['FVC', 3.52, 3.9, 3.1, -0.8, 90],
    ]);
    const unknown = await pftis(['parse', file, '--template', 'no-such-layout'], {});
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no layout template named no-such-layout') });
  }, 120_000);
});
