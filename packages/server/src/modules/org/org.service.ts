import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { Conflict, NotFound } from '../../platform/errors.js';

export type DepartmentKind = 'pft_lab' | 'clinical' | 'administrative';

export interface CampusInput {
  code: string;
  name: string;
  nameEn?: string | null;
  address?: string | null;
  active?: boolean;
}

export interface DepartmentInput {
  campusId: string;
  code: string;
  name: string;
  nameEn?: string | null;
  kind?: DepartmentKind;
  active?: boolean;
}

export type OrgService = ReturnType<typeof createOrgService>;

/**
 * Campuses (院区) and their departments. Every clinical record names its campus; patients are shared. Campus changes
 * run in `changeAccess` (the auth service's), since they change what sessions may work in.
 */
export function createOrgService({
  db,
  now = () => new Date(),
  changeAccess = (work) => db.transaction().execute(work),
}: {
  db: Kysely<DB>;
  now?: () => Date;
  changeAccess?: <T>(work: (trx: Transaction<DB>) => Promise<T>) => Promise<T>;
}) {
  const campusColumns = ['id', 'code', 'name', 'nameEn', 'address', 'active'] as const;
  const departmentColumns = ['id', 'campusId', 'code', 'name', 'nameEn', 'kind', 'active'] as const;

  async function list() {
    const [campuses, departments] = await Promise.all([
      db.selectFrom('campus').select(campusColumns).orderBy('code').execute(),
      db.selectFrom('department').select(departmentColumns).orderBy('code').execute(),
    ]);
    return campuses.map((c) => ({ ...c, departments: departments.filter((d) => d.campusId === c.id) }));
  }

  async function createCampus(actor: AuditActor, input: CampusInput) {
    return changeAccess(async (trx) => {
      if (await trx.selectFrom('campus').select('id').where('code', '=', input.code).executeTakeFirst()) {
        throw new Conflict('org.campus-code-taken', '院区代码已存在', { errors: [{ field: 'code', message: '院区代码已存在' }] });
      }
      const after = await trx.insertInto('campus').values({ ...input, updatedAt: now() }).returning(campusColumns).executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'campus.created', entityType: 'campus', entityId: after.id, campusId: after.id, after }, now());
      return { ...after, departments: [] };
    });
  }

  async function updateCampus(actor: AuditActor, id: string, changes: Partial<CampusInput>) {
    return changeAccess(async (trx) => {
      const before = await trx.selectFrom('campus').select(campusColumns).where('id', '=', id).executeTakeFirst();
      if (!before) throw new NotFound('campus', id);
      const after = await trx.updateTable('campus').set({ ...changes, updatedAt: now() }).where('id', '=', id).returning(campusColumns).executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'campus.updated', entityType: 'campus', entityId: id, campusId: id, before, after }, now());
      const departments = await trx.selectFrom('department').select(departmentColumns).where('campusId', '=', id).orderBy('code').execute();
      return { ...after, departments };
    });
  }

  async function createDepartment(actor: AuditActor, input: DepartmentInput) {
    return db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('campus').select('id').where('id', '=', input.campusId).executeTakeFirst())) throw new NotFound('campus', input.campusId);
      const taken = await trx.selectFrom('department').select('id').where('campusId', '=', input.campusId).where('code', '=', input.code).executeTakeFirst();
      if (taken) throw new Conflict('org.department-code-taken', '该院区已有相同代码的科室', { errors: [{ field: 'code', message: '科室代码已存在' }] });
      const after = await trx.insertInto('department').values({ ...input, updatedAt: now() }).returning(departmentColumns).executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'department.created', entityType: 'department', entityId: after.id, campusId: after.campusId, after }, now());
      return after;
    });
  }

  async function updateDepartment(actor: AuditActor, id: string, changes: Partial<Omit<DepartmentInput, 'campusId'>>) {
    return db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('department').select(departmentColumns).where('id', '=', id).executeTakeFirst();
      if (!before) throw new NotFound('department', id);
      const after = await trx.updateTable('department').set({ ...changes, updatedAt: now() }).where('id', '=', id).returning(departmentColumns).executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'department.updated', entityType: 'department', entityId: id, campusId: after.campusId, before, after }, now());
      return after;
    });
  }

  return { list, createCampus, updateCampus, createDepartment, updateDepartment };
}
