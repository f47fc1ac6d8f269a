import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../platform/access.js';
import { given } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';
import { createRegisteredOrders, EXAM_ORDER_CHANNEL } from './registered-orders.js';

// The scan asks the database about an order's exam only when this filter says "maybe". What must hold: it never says
// "no" for a request number an exam has — whoever wrote it — once it is trusted, and it is not trusted while deaf.

let sequence = 0;
const fresh = () => `SQF${process.pid}${String(++sequence).padStart(6, '0')}`;

async function until(condition: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe.each(backends)('registered orders on %s', (kind) => {
  let t: TestApp;
  let technician: Actor;
  beforeAll(async () => {
    t = await testApp(kind);
    const campus = await given(t).campus();
    const user = await given(t).user({ roles: ['technician'], campusIds: [campus.id] });
    technician = { userId: user.id, username: user.username, displayName: '测试技师', sessionId: 'test', sessionState: 'active', csrfToken: '', ip: '127.0.0.1', permissions: new Set(), campusIds: [campus.id], campusId: campus.id };
  });
  afterAll(() => t?.close());

  const register = (requestNo: string) =>
    t.services.exams.registerManually(technician, { patient: { name: '测试患者', sex: 'female', birthDate: '1970-01-01' }, requestNo, itemName: '肺通气功能检查', visitType: 'outpatient' });
  /** A filter of its own (as another server process has), listening on the database. */
  async function follow(minCapacity?: number) {
    const orders = createRegisteredOrders(t.database.db, minCapacity);
    const stop = await t.database.listen(EXAM_ORDER_CHANNEL, orders.onMessage, orders.onListening);
    return { orders, stop };
  }
  const unknown = Array.from({ length: 200 }, (_, i) => `NEVER${process.pid}-${i}`);
  const noes = (orders: { mightBeRegistered(r: string): boolean }) => unknown.filter((r) => !orders.mightBeRegistered(r)).length;

  it('says maybe to everything until it has loaded what is registered; then yes to those, and no to nearly all others', async () => {
    const registered = [fresh(), fresh(), fresh()];
    for (const requestNo of registered) await register(requestNo);
    const orders = createRegisteredOrders(t.database.db);
    expect(noes(orders)).toBe(0);
    const stop = await t.database.listen(EXAM_ORDER_CHANNEL, orders.onMessage, orders.onListening);
    try {
      expect(await until(() => noes(orders) > 190)).toBe(true);
      expect(registered.every(orders.mightBeRegistered)).toBe(true);
    } finally {
      await stop();
    }
    expect(noes(orders)).toBe(0);
  });

  it('hears of request numbers given by any writer: an exam inserted in SQL, a request number changed in SQL', async () => {
    const { orders, stop } = await follow();
    try {
      await until(() => noes(orders) > 190);
      const { examId } = await register(fresh());
      const [inserted, rebound] = [fresh(), fresh()];
      expect([inserted, rebound].some(orders.mightBeRegistered)).toBe(false);
      await sql`insert into exam (accession_no, campus_id, patient_id, request_no, item_name, test_kind, visit_type, exam_date)
                select accession_no || 'B', campus_id, patient_id, ${inserted}, item_name, test_kind, visit_type, exam_date from exam where id = ${examId}`.execute(t.database.db);
      await sql`update exam set request_no = ${rebound} where id = ${examId}`.execute(t.database.db);
      expect(await until(() => orders.mightBeRegistered(inserted) && orders.mightBeRegistered(rebound))).toBe(true);
    } finally {
      await stop();
    }
  });

  it('answers from memory: a request number written with the announcement switched off goes unseen', async () => {
    const { orders, stop } = await follow();
    try {
      await until(() => noes(orders) > 190);
      const { examId } = await register(fresh());
      const silent = unknown.find((r) => !orders.mightBeRegistered(r))!;
      await sql`alter table exam disable trigger exam_order_announced`.execute(t.database.db);
      try {
        await sql`update exam set request_no = ${silent} where id = ${examId}`.execute(t.database.db);
      } finally {
        await sql`alter table exam enable trigger exam_order_announced`.execute(t.database.db);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(orders.mightBeRegistered(silent)).toBe(false);
      await sql`update exam set request_no = ${fresh()} where id = ${examId}`.execute(t.database.db);
    } finally {
      await stop();
    }
  });

  it('loads again, larger, once more request numbers arrived than it was sized for', async () => {
    const { examId } = await register(fresh());
    const { orders, stop } = await follow(10);
    try {
      await until(() => noes(orders) > 150);
      const batch = `SQB${process.pid}-`;
      await sql`insert into exam (accession_no, campus_id, patient_id, request_no, item_name, test_kind, visit_type, exam_date)
                select accession_no || '-' || n, campus_id, patient_id, ${batch} || n, item_name, test_kind, visit_type, exam_date
                from exam, generate_series(1, 40) as n where id = ${examId}`.execute(t.database.db);
      // Overfull, nearly every bit would be set: it reads the database again, sized for twice the count, and says no again.
      expect(await until(() => orders.mightBeRegistered(`${batch}40`) && noes(orders) > 150)).toBe(true);
      const exams = (await sql<{ requestNo: string }>`select request_no from exam where request_no is not null`.execute(t.database.db)).rows;
      expect(exams.every((e) => orders.mightBeRegistered(e.requestNo))).toBe(true);
    } finally {
      await stop();
    }
  });
});

describe.skipIf(!backends.includes('postgres'))('registered orders when the listening connection is lost (postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('postgres');
  });
  afterAll(() => t?.close());

  it('says maybe to everything while deaf, and trusts itself again once it listens and has loaded again', async () => {
    const orders = createRegisteredOrders(t.database.db);
    const stop = await t.database.listen(EXAM_ORDER_CHANNEL, orders.onMessage, orders.onListening);
    try {
      expect(await until(() => !orders.mightBeRegistered('SQ-NEVER-1'))).toBe(true);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = ${`listen ${EXAM_ORDER_CHANNEL}`}`.execute(t.database.db);
      expect(await until(() => orders.mightBeRegistered('SQ-NEVER-1'))).toBe(true);
      expect(await until(() => !orders.mightBeRegistered('SQ-NEVER-1'), 5000)).toBe(true);
    } finally {
      await stop();
    }
  });
});
