import { execFile } from 'node:child_process';
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
