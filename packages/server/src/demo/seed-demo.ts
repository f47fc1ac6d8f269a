import path from 'node:path';
import { DEMO_PASSWORD, DEMO_SIGNING_PIN, demoHospital, demoUsers, statusWriteBackSql } from '@pftis/his-sim';
import type { Kysely } from 'kysely';
import type { Services } from '../app.js';
import type { DB } from '../db/types.js';
import { systemActor } from '../platform/audit.js';
import { demoSignaturePng } from './signature-image.js';

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
}

/**
 * Seeds the demo hospital into an empty database through the ordinary services (so it is audited like
 * any other change). Does nothing once any account exists.
 */
export async function seedDemo(db: Kysely<DB>, services: Services, dataDir: string): Promise<DemoLogin[] | null> {
  const anyUser = await db.selectFrom('appUser').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null;
  const actor = systemActor('demo-seed');
  const campusIds = new Map<string, string>();
  for (const campus of demoHospital.campuses) {
    const created = await services.org.createCampus(actor, { code: campus.code, name: campus.name, nameEn: campus.nameEn, address: campus.address });
    campusIds.set(campus.code, created.id);
    for (const department of campus.departments) await services.org.createDepartment(actor, { campusId: created.id, ...department });
  }
  // One device per campus taking its worklist as GDT files, and an ndd EasyOne at the main campus; their
  // exchange folders sit under the data folder, where the demo's simulated devices answer them.
  const devices = path.resolve(dataDir, 'devices');
  await services.devices.create(actor, { campusId: campusIds.get('MAIN')!, name: '肺功能仪 1 号', room: '1 号检查室', vendor: 'Demo', model: 'SPIRO-GDT', channel: 'gdt', folder: path.join(devices, 'MAIN-1'), resultFolder: path.join(devices, 'MAIN-1-results'), encoding: 'gbk' });
  await services.devices.create(actor, { campusId: campusIds.get('MAIN')!, name: 'EasyOne 肺功能仪', room: '2 号检查室', vendor: 'ndd', model: 'EasyOne Pro', channel: 'ndd_xml', folder: path.join(devices, 'MAIN-ndd'), resultFolder: path.join(devices, 'MAIN-ndd-results'), encoding: 'utf-8' });
  await services.devices.create(actor, { campusId: campusIds.get('EAST')!, name: '东院肺功能仪', room: '东院检查室', vendor: 'Demo', model: 'SPIRO-GDT', channel: 'gdt', folder: path.join(devices, 'EAST-1'), resultFolder: path.join(devices, 'EAST-1-results'), encoding: 'gbk' });
  await services.his.updateWriteBack(actor, { enabled: true, sql: statusWriteBackSql, codes: { registered: '1', examined: '2', reported: '3', cancelled: '9' }, timeoutMs: 5000 });

  const roles = await services.accounts.listRoles();
  const logins: DemoLogin[] = [];
  for (const user of demoUsers) {
    const role = roles.find((r) => r.code === user.role);
    if (!role) throw new Error(`demo role ${user.role} missing`);
    const created = await services.accounts.createUser(
      actor,
      { username: user.username, displayName: user.displayName, password: DEMO_PASSWORD, roleIds: [role.id], campusIds: user.campuses.map((c) => campusIds.get(c)!) },
      { mustChangePassword: false },
    );
    logins.push({ username: user.username, password: DEMO_PASSWORD, role: role.name });
    // The demo physicians can approve at once: a handwritten signature and an SM2 key from the department CA.
    if (['reporting_physician', 'reviewing_physician', 'department_head'].includes(user.role)) {
      const person = { id: created.id, displayName: user.displayName, username: user.username };
      await services.signatures.setImage({ ...actor, userId: created.id }, demoSignaturePng(user.displayName));
      await services.signatures.issueFor(actor, person, 'sm2', DEMO_SIGNING_PIN);
    }
  }
  return logins;
}
