import { createHmac } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Sm4Sealer } from '../../platform/crypto.js';

type Db = Kysely<DB> | Transaction<DB>;

/** What the HIS (or a technician, when the HIS is down) tells us about a person. */
export interface PatientFacts {
  hisPatientId?: string | null;
  name: string;
  sex: 'male' | 'female' | 'unknown';
  birthDate: string;
  idNumber?: string | null;
  phone?: string | null;
  address?: string | null;
  cardNo?: string | null;
  outpatientNo?: string | null;
  inpatientNo?: string | null;
}

/** Personal data is sealed with SM4 at rest; the identity number also gets a keyed SM3 hash for look-ups. */
export function createPatientStore(sealer: Sm4Sealer, hashKey: string) {
  const idHash = (idNumber: string) => createHmac('sm3', hashKey).update(idNumber.toUpperCase()).digest('hex');
  const seal = (value: string | null | undefined) => (value ? sealer.seal(value) : null);
  const open = (value: string | null) => (value ? sealer.open(value) : null);

  function columns(f: PatientFacts) {
    return {
      hisPatientId: f.hisPatientId ?? null,
      name: f.name,
      sex: f.sex,
      birthDate: f.birthDate,
      idNumberSealed: seal(f.idNumber),
      idNumberHash: f.idNumber ? idHash(f.idNumber) : null,
      phoneSealed: seal(f.phone),
      addressSealed: seal(f.address),
      cardNo: f.cardNo ?? null,
      outpatientNo: f.outpatientNo ?? null,
      inpatientNo: f.inpatientNo ?? null,
    };
  }

  return {
    /** Creates or refreshes the patient known to the HIS by this id (the HIS is the source of truth). */
    async upsertFromHis(trx: Transaction<DB>, facts: PatientFacts & { hisPatientId: string }, now: Date) {
      const existing = await trx.selectFrom('patient').select('id').where('hisPatientId', '=', facts.hisPatientId).executeTakeFirst();
      if (existing) {
        await trx.updateTable('patient').set({ ...columns(facts), updatedAt: now }).where('id', '=', existing.id).execute();
        return existing.id;
      }
      const { id } = await trx.insertInto('patient').values({ ...columns(facts), updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      return id;
    },
    async insertManual(trx: Transaction<DB>, facts: PatientFacts, now: Date) {
      const { id } = await trx.insertInto('patient').values({ ...columns({ ...facts, hisPatientId: null }), updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      return id;
    },
    async update(trx: Transaction<DB>, id: string, facts: PatientFacts, now: Date) {
      await trx.updateTable('patient').set({ ...columns(facts), updatedAt: now }).where('id', '=', id).execute();
    },
    async read(db: Db, id: string): Promise<PatientFacts & { id: string }> {
      const p = await db.selectFrom('patient').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return {
        id: p.id,
        hisPatientId: p.hisPatientId,
        name: p.name,
        sex: p.sex,
        birthDate: p.birthDate,
        idNumber: open(p.idNumberSealed),
        phone: open(p.phoneSealed),
        address: open(p.addressSealed),
        cardNo: p.cardNo,
        outpatientNo: p.outpatientNo,
        inpatientNo: p.inpatientNo,
      };
    },
    findByIdNumber: (db: Db, idNumber: string) => db.selectFrom('patient').select('id').where('idNumberHash', '=', idHash(idNumber)).execute(),
  };
}

export type PatientStore = ReturnType<typeof createPatientStore>;

/** 110101199003074514 → 110101********4514 */
export const maskIdNumber = (id: string | null | undefined) => (id ? (id.length > 10 ? `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}` : '*'.repeat(id.length)) : null);
/** 13812345678 → 138****5678 */
export const maskPhone = (phone: string | null | undefined) => (phone ? (phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****') : null);

/** Whole years and months at a date, as Chinese reports print ages: 58岁, 3岁2月, 8月. */
export function ageAt(birthDate: string, onDate: string): { years: number; decimalYears: number; label: string } {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onDate.split('-').map(Number) as [number, number, number];
  let months = (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
  months = Math.max(0, months);
  const years = Math.floor(months / 12);
  const decimalYears = (Date.UTC(y, m - 1, d) - Date.UTC(by, bm - 1, bd)) / (365.25 * 86_400_000);
  const label = years >= 6 ? `${years}岁` : years >= 1 ? `${years}岁${months % 12 ? `${months % 12}月` : ''}` : `${months}月`;
  return { years, decimalYears, label };
}
