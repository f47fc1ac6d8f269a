import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { type AuditActor, recordAudit } from '../../platform/audit.js';
import { NotFound } from '../../platform/errors.js';

export type DeviceChannel = 'gdt' | 'ndd_xml' | 'hl7_mllp';

export interface DeviceInput {
  campusId: string;
  name: string;
  room?: string;
  vendor?: string;
  model?: string;
  channel: DeviceChannel;
  folder?: string | null;
  host?: string | null;
  port?: number | null;
  encoding?: 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';
  gdtVersion?: '2.1' | '3.5';
  resultFolder?: string | null;
  enabled?: boolean;
}

const columns = ['id', 'campusId', 'name', 'room', 'vendor', 'model', 'channel', 'folder', 'resultFolder', 'host', 'port', 'encoding', 'gdtVersion', 'enabled'] as const;

export type DevicesService = ReturnType<typeof createDevicesService>;

/** Lung-function devices per campus and room, and the channel each takes its worklist by. */
export function createDevicesService({ db, now = () => new Date() }: { db: Kysely<DB>; now?: () => Date }) {
  return {
    list: (campusId?: string) => {
      let q = db.selectFrom('device').select(columns).orderBy('name');
      if (campusId) q = q.where('campusId', '=', campusId);
      return q.execute();
    },
    async create(actor: AuditActor, input: DeviceInput) {
      return db.transaction().execute(async (trx) => {
        const after = await trx.insertInto('device').values({ ...input, updatedAt: now() }).returning(columns).executeTakeFirstOrThrow();
        await recordAudit(trx, actor, { action: 'device.created', entityType: 'device', entityId: after.id, campusId: after.campusId, after }, now());
        return after;
      });
    },
    async update(actor: AuditActor, id: string, changes: Partial<Omit<DeviceInput, 'campusId'>>) {
      return db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('device').select(columns).where('id', '=', id).executeTakeFirst();
        if (!before) throw new NotFound('device', id);
        const after = await trx.updateTable('device').set({ ...changes, updatedAt: now() }).where('id', '=', id).returning(columns).executeTakeFirstOrThrow();
        await recordAudit(trx, actor, { action: 'device.updated', entityType: 'device', entityId: id, campusId: after.campusId, before, after }, now());
        return after;
      });
    },
  };
}
