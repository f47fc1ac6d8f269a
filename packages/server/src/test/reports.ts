import { nddTestResult } from '@pftis/his-sim';
import type { Services } from '../app.js';
import type { Actor } from '../platform/access.js';
import { systemActor } from '../platform/audit.js';
import type { Permission } from '../platform/permission-catalog.js';
import { TEST_PASSWORD } from './given.js';

export const TEST_PIN = '246810';

/**
 * A campus with a technician and two physicians (signing keys issued), as in-process actors for the services.
 * For tests and benchmarks that need approved reports without going through HTTP.
 */
export async function reportingTeam(services: Services, campusCode = `R${process.pid}${Math.floor(Math.random() * 1e6)}`) {
  const system = systemActor('test');
  const campus = await services.org.createCampus(system, { code: campusCode, name: `院区${campusCode}` });
  const roles = await services.accounts.listRoles();
  const person = async (role: string, displayName: string): Promise<Actor> => {
    const r = roles.find((x) => x.code === role)!;
    const user = await services.accounts.createUser(system, { username: `${role.slice(0, 4)}${campusCode}`.toLowerCase(), displayName, password: TEST_PASSWORD, roleIds: [r.id], campusIds: [campus.id] }, { mustChangePassword: false });
    return {
      userId: user.id, username: user.username, displayName, sessionId: 'test', sessionState: 'active', csrfToken: '', ip: '127.0.0.1',
      permissions: new Set(r.permissions as Permission[]), campusIds: [campus.id], campusId: campus.id,
    };
  };
  const technician = await person('technician', '王技师');
  const reporter = await person('reporting_physician', '李医师');
  const reviewer = await person('reviewing_physician', '张主任');
  const head = await person('department_head', '陈主任');
  await services.signatures.issueFor(system, { id: head.userId, displayName: head.displayName, username: head.username }, 'sm2', TEST_PIN);
  await services.signatures.issueFor(system, { id: reporter.userId, displayName: reporter.displayName, username: reporter.username }, 'sm2', TEST_PIN);
  await services.signatures.issueFor(system, { id: reviewer.userId, displayName: reviewer.displayName, username: reviewer.username }, 'rsa', TEST_PIN);
  return { campus, technician, reporter, reviewer, head };
}

export type ReportingTeam = Awaited<ReturnType<typeof reportingTeam>>;

let sequence = 0;

/** Registers an exam without the HIS, imports a simulated ndd result, and drafts, submits and approves its report. */
export async function approvedReport(services: Services, team: ReportingTeam, options: { requestNo?: string; conclusion?: string } = {}) {
  const n = ++sequence;
  const requestNo = options.requestNo ?? `SQT${process.pid}${String(n).padStart(5, '0')}`;
  const exam = await services.exams.registerManually(team.technician, {
    patient: { name: `测试患者${n}`, sex: n % 2 ? 'male' : 'female', birthDate: '1968-05-20' }, requestNo, itemName: '肺通气功能检查', visitType: 'outpatient', visitSerialNo: `MZ${n}`, heightCm: 168, weightKg: 62,
  });
  const bytes = nddTestResult({ sex: n % 2 ? 'male' : 'female', ageYears: 58, heightCm: 168, accessionNo: exam.accessionNo, patientId: `P${n}`, bronchodilator: false }, new Date(), n);
  await services.deviceImport.receive(systemActor('test'), { bytes, originalName: `${exam.accessionNo}.xml`, source: 'api', deviceId: null, campusId: team.campus.id });
  const { reportId } = await services.review.create(team.technician, exam.examId);
  await services.review.save(team.technician, reportId, { conclusionText: options.conclusion ?? '肺通气功能正常。', pattern: 'normal', severity: 'none', bdr: null });
  await services.review.submit(team.technician, reportId);
  await services.review.approve(team.reporter, reportId, TEST_PIN);
  const final = await services.review.approve(team.reviewer, reportId, TEST_PIN);
  return { examId: exam.examId, accessionNo: exam.accessionNo, requestNo, reportId, final: final.final! };
}
