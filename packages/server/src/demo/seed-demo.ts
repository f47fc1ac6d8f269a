import { DEMO_PASSWORD, demoHospital, demoUsers } from '@pftis/his-sim';
import type { Kysely } from 'kysely';
import type { Services } from '../app.js';
import type { DB } from '../db/types.js';
import { systemActor } from '../platform/audit.js';

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
}

/**
 * Seeds the demo hospital into an empty database through the ordinary services (so it is audited like
 * any other change). Does nothing once any account exists.
 */
export async function seedDemo(db: Kysely<DB>, services: Services): Promise<DemoLogin[] | null> {
  const anyUser = await db.selectFrom('appUser').select('id').limit(1).executeTakeFirst();
  if (anyUser) return null;
  const actor = systemActor('demo-seed');
  const campusIds = new Map<string, string>();
  for (const campus of demoHospital.campuses) {
    const created = await services.org.createCampus(actor, { code: campus.code, name: campus.name, nameEn: campus.nameEn, address: campus.address });
    campusIds.set(campus.code, created.id);
    for (const department of campus.departments) await services.org.createDepartment(actor, { campusId: created.id, ...department });
  }
  const roles = await services.accounts.listRoles();
  const logins: DemoLogin[] = [];
  for (const user of demoUsers) {
    const role = roles.find((r) => r.code === user.role);
    if (!role) throw new Error(`demo role ${user.role} missing`);
    await services.accounts.createUser(
      actor,
      { username: user.username, displayName: user.displayName, password: DEMO_PASSWORD, roleIds: [role.id], campusIds: user.campuses.map((c) => campusIds.get(c)!) },
      { mustChangePassword: false },
    );
    logins.push({ username: user.username, password: DEMO_PASSWORD, role: role.name });
  }
  return logins;
}
