import { nddTestResult } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../platform/audit.js';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { type ReportingTeam, reportingTeam } from '../../test/reports.js';
import type { ReportContent } from '../reports/draft.js';
import { DEFAULT_LAB_SETTINGS_VIEW, type LabSettingsView, TEMPLATE_DEFAULTS } from './lab-settings.schemas.js';

describe.each(backends)('判读设置: the lab clinical settings (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let team: ReportingTeam;
  let head: Client;
  let physician: Client;
  let sequence = 0;

  /** An exam with a simulated ndd result, its report drafted by the technician: the content as stored. */
  async function draftedContent(): Promise<ReportContent> {
    const n = ++sequence;
    const exam = await t.services.exams.registerManually(team.technician, {
      patient: { name: `判读患者${n}`, sex: 'male', birthDate: '1970-03-15' }, requestNo: `LS${process.pid}${n}`, itemName: '肺通气功能检查', visitType: 'outpatient', visitSerialNo: `MZL${n}`, heightCm: 171, weightKg: 66,
    });
    const bytes = nddTestResult({ sex: 'male', ageYears: 56, heightCm: 171, accessionNo: exam.accessionNo, patientId: `LSP${n}`, bronchodilator: false }, new Date(), 700 + n);
    const received = await t.services.deviceImport.receive(systemActor('test'), { bytes, originalName: `${exam.accessionNo}.xml`, source: 'api', deviceId: null, campusId: team.campus.id });
    expect(received.status).toBe('imported');
    const { reportId } = await t.services.review.create(team.technician, exam.examId);
    const version = await t.database.db.selectFrom('reportVersion').select('content').where('reportId', '=', reportId).where('version', '=', 1).executeTakeFirstOrThrow();
    return version.content as ReportContent;
  }

  const chineseLab = (): LabSettingsView => {
    const lab = structuredClone(DEFAULT_LAB_SETTINGS_VIEW);
    lab.reference.defaults.spirometry = { equation: 'gli2012', ethnicity: 3 };
    lab.reference.patientGroups = [{ id: 'children', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } }];
    lab.interpretation.scheme = 'china2014';
    // As the page does on a change of scheme: the Chinese 2014 wording under the phrases the lab wrote (none here).
    lab.templates = structuredClone(TEMPLATE_DEFAULTS.china2014);
    return lab;
  };

  const auditEntries = () => t.database.db.selectFrom('auditLog').selectAll().where('entityId', '=', 'clinical.lab').orderBy('id').execute();

  beforeAll(async () => {
    t = await testApp(kind);
    team = await reportingTeam(t.services);
    head = await signIn(t, (await given(t).user({ roles: ['department_head'], campusIds: [team.campus.id] })).username);
    physician = await signIn(t, (await given(t).user({ roles: ['reporting_physician'], campusIds: [team.campus.id] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the head of department and the system administrator hold 判读设置 (clinical.settings); the physicians do not', async () => {
    const roles = await t.services.accounts.listRoles();
    const holders = roles.filter((r) => (r.permissions as string[]).includes('clinical.settings')).map((r) => r.code).sort();
    expect(holders).toEqual(['department_head', 'system_admin']);
  });

  it('reads the defaults before anything is saved: GLI Global 2022, GLI-2017, GLI-2021, refuse, ERS/ATS 2022, the default templates', async () => {
    const answer = await physician.request('GET', '/api/lab-settings');
    expect(answer.statusCode, answer.body).toBe(200);
    const lab = answer.json() as LabSettingsView;
    expect(lab.reference).toEqual({ defaults: { spirometry: { equation: 'gli2022' }, transfer: { equation: 'gli2017' }, volumes: { equation: 'gli2021' } }, patientGroups: [], outOfRange: 'refuse' });
    expect(lab.interpretation.scheme).toBe('ats2022');
    expect(lab.templates?.zh?.pattern?.obstruction).toBe('{severity}阻塞性通气功能障碍');
    expect(lab.templates?.en?.bdr?.positive).toBe('positive bronchodilator response');
    const options = (await physician.request('GET', '/api/lab-settings/options')).json();
    expect(options.equations.filter((e: { groups: string[] }) => e.groups.includes('spirometry')).map((e: { id: string }) => e.id).sort()).toEqual(['gli2012', 'gli2022', 'jian2017', 'nhanes3']);
  });

  it('refuses a change from a physician without clinical.settings, records the denial and keeps the settings', async () => {
    const answer = await physician.request('PUT', '/api/lab-settings', chineseLab());
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toMatchObject({ code: 'auth.forbidden', permission: 'clinical.settings' });
    const denied = await t.database.db.selectFrom('auditLog').select(['action', 'outcome', 'detail']).where('outcome', '=', 'denied').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.stringify(denied.detail)).toContain('clinical.settings');
    expect((await physician.request('GET', '/api/lab-settings')).json().reference.defaults.spirometry).toEqual({ equation: 'gli2022' });
    expect(await auditEntries()).toEqual([]);
  });

  it('refuses invalid settings with a Chinese message on the field, for each kind of mistake', async () => {
    const attempt = async (change: (lab: LabSettingsView) => void) => {
      const lab = structuredClone(DEFAULT_LAB_SETTINGS_VIEW);
      change(lab);
      const answer = await head.request('PUT', '/api/lab-settings', lab);
      expect(answer.statusCode, answer.body).toBe(400);
      return (answer.json().errors as Array<{ field: string; message: string }>).map((e) => `${e.field}: ${e.message}`);
    };
    expect(await attempt((lab) => Object.assign(lab.reference.defaults.spirometry, { equation: 'ecsc1993' }))).toEqual(['body.reference.defaults.spirometry.equation: 未知的参考方程']);
    expect(await attempt((lab) => (lab.reference.defaults.volumes = { equation: 'jian2017' }))).toEqual(['body.reference.defaults.volumes.equation: Jian 2017 (China) 不适用于肺容量']);
    expect(await attempt((lab) => (lab.reference.defaults.spirometry = { equation: 'gli2012' }))).toEqual(['body.reference.defaults.spirometry.ethnicity: GLI-2012 须指定人种分组 1–5（中国人群一般选 3 东北亚）']);
    const group = { label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' as const } } };
    expect(await attempt((lab) => (lab.reference.patientGroups = [{ id: 'kids', ...group }, { id: 'kids', ...group }]))).toEqual(['body.reference.patientGroups.1.id: 患者分组代码重复：kids']);
    expect(await attempt((lab) => (lab.reference.patientGroups = [{ id: 'kids', ...group, match: { minAge: 18, maxAge: 4 } }]))).toEqual([
      'body.reference.patientGroups.0.match.maxAge: 年龄范围不正确：起始年龄（18 岁）须小于截止年龄（4 岁）',
    ]);
    expect(await attempt((lab) => (lab.templates!.zh!.pattern!.restriction = '{程度}限制性通气功能障碍'))).toEqual(['body.templates.zh.pattern.restriction: 未知占位符 {程度}，可用占位符：{severity}']);
    expect(await auditEntries()).toEqual([]);
  });

  it('writes the settings with an audit entry (before and after), and reports drafted afterwards record the new equation', async () => {
    const before = await draftedContent();
    expect(before.equations.find((c) => c.group === 'spirometry')).toMatchObject({ equation: 'gli2022', source: 'lab_default' });
    expect(before.interpretation?.scheme).toBe('ats2022');

    const lab = chineseLab();
    lab.templates!.zh!.bdr!.positive = '支气管舒张试验阳性（可逆）';
    const saved = await head.request('PUT', '/api/lab-settings', lab);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().reference.defaults.spirometry).toEqual({ equation: 'gli2012', ethnicity: 3 });

    // Any signed-in clinician reads what the head saved, templates in full.
    const read = (await physician.request('GET', '/api/lab-settings')).json() as LabSettingsView;
    expect(read.reference.defaults.spirometry).toEqual({ equation: 'gli2012', ethnicity: 3 });
    expect(read.reference.patientGroups).toEqual([{ id: 'children', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } }]);
    expect(read.interpretation.scheme).toBe('china2014');
    expect(read.templates?.zh?.bdr?.positive).toBe('支气管舒张试验阳性（可逆）');
    expect(read.templates?.en).toEqual(TEMPLATE_DEFAULTS.china2014.en);

    const [entry, ...more] = await auditEntries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ action: 'clinical.lab-settings-updated', outcome: 'success', entityType: 'setting' });
    expect((entry!.before as LabSettingsView).reference.defaults.spirometry).toEqual({ equation: 'gli2022' });
    expect((entry!.after as LabSettingsView).reference.defaults.spirometry).toEqual({ equation: 'gli2012', ethnicity: 3 });
    // Only the phrase the head changed is stored; everything else follows the scheme's defaults.
    expect((entry!.after as LabSettingsView).templates).toEqual({ zh: { bdr: { positive: '支气管舒张试验阳性（可逆）' } } });
    expect((entry!.detail as { changed: string[] }).changed).toEqual(['reference.defaults.spirometry', 'reference.patientGroups', 'interpretation.scheme', 'templates']);

    const after = await draftedContent();
    expect(after.equations.find((c) => c.group === 'spirometry')).toMatchObject({ equation: 'gli2012', ethnicity: 3, source: 'lab_default' });
    expect(after.equations.find((c) => c.group === 'spirometry')?.equationVersion).toMatch(/^GLI-2012/);
    expect(after.interpretation?.scheme).toBe('china2014');
  });

  it('previews a draft of the settings on sample patients with the clinical core, saving nothing', async () => {
    const lab = chineseLab();
    lab.templates!.zh!.pattern!.obstruction = '{severity}阻塞性通气功能障碍（预览）';
    const answer = await physician.request('POST', '/api/lab-settings/preview', { settings: lab });
    expect(answer.statusCode, answer.body).toBe(200);
    const samples = answer.json() as Array<{ sample: string; patientGroupId: string | null; pattern: string; equationChoices: Array<{ group: string; equation: string; source: string }>; narrative: { zh: string; en: string } }>;
    const obstruction = samples.find((s) => s.sample === 'obstruction')!;
    expect(obstruction.pattern).toBe('obstruction');
    expect(obstruction.narrative.zh).toMatch(/^(轻度|中度|中重度|重度|极重度)阻塞性通气功能障碍（预览），支气管舒张试验/);
    expect(obstruction.equationChoices.find((c) => c.group === 'spirometry')).toMatchObject({ equation: 'gli2012', source: 'lab_default' });
    const child = samples.find((s) => s.sample === 'child')!;
    expect(child.patientGroupId).toBe('children');
    expect(child.equationChoices.find((c) => c.group === 'spirometry')).toMatchObject({ equation: 'jian2017', source: 'patient_group' });
    // Invalid drafts are answered like a save would be.
    const invalid = await physician.request('POST', '/api/lab-settings/preview', { settings: { ...lab, reference: { ...lab.reference, defaults: { ...lab.reference.defaults, spirometry: { equation: 'nhanes3' } } } } });
    expect(invalid.statusCode).toBe(400);
    expect((await physician.request('GET', '/api/lab-settings')).json().templates.zh.pattern.obstruction).toBe('{severity}阻塞性通气功能障碍');
  });
});
