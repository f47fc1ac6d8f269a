import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { type BloomFilter, createBloomFilter } from '../../platform/bloom-filter.js';

/** The channel on which the database announces each exam's 申请单号 (migration 202612071400). */
export const EXAM_ORDER_CHANNEL = 'pftis_exam_order';

const MIN_CAPACITY = 100_000;
const PAGE = 20_000;
const RETRY_MS = 5000;

export type RegisteredOrders = ReturnType<typeof createRegisteredOrders>;

/**
 * Which HIS orders may already have an exam here, so that a scan asks the database only about those: at the desk
 * the patient's orders are nearly always new, and the question would otherwise cost a round trip on every scan.
 * "No" is never wrong while the answer is trusted: every request number enters the filter before the scan could
 * have read it from the database (all of them loaded once listening, each new one announced by the database's
 * trigger from any writer, this process's own added at once). "Maybe" is checked in the database. While the
 * announcements cannot be heard (not started, listening connection lost, first load unfinished) every answer is
 * maybe. As with any read, an exam committed by another process in the last moment may not be seen yet;
 * registration checks again in its own transaction.
 */
export function createRegisteredOrders(db: Kysely<DB>, minCapacity = MIN_CAPACITY) {
  let filter: BloomFilter | null = null;
  // Request numbers announced while a load runs; the load's pages may have passed them already.
  let arrivedDuringLoad: string[] | null = null;
  let listening = false;
  let loads = 0;

  async function load(current: number, arrived: string[]) {
    const { n } = await db.selectFrom('exam').select((eb) => eb.fn.countAll<number>().as('n')).where('requestNo', 'is not', null).executeTakeFirstOrThrow();
    const next = createBloomFilter(Math.max(minCapacity, 2 * Number(n)));
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const page = await db.selectFrom('exam').select(['id', 'requestNo']).where('requestNo', 'is not', null).where('id', '>', after).orderBy('id').limit(PAGE).execute();
      if (current !== loads) return;
      for (const row of page) next.add(row.requestNo!);
      if (page.length < PAGE) break;
      after = page.at(-1)!.id;
    }
    for (const requestNo of arrived) next.add(requestNo);
    filter = next;
    arrivedDuringLoad = null;
  }

  // A load that fails leaves the answers as they were (all maybe, or the overfull filter) and is tried again.
  function reload() {
    const current = ++loads;
    const arrived: string[] = [];
    arrivedDuringLoad = arrived;
    load(current, arrived).catch(() => {
      if (current !== loads) return;
      arrivedDuringLoad = null;
      setTimeout(() => listening && current === loads && reload(), RETRY_MS).unref();
    });
  }

  function add(requestNo: string) {
    filter?.add(requestNo);
    arrivedDuringLoad?.push(requestNo);
    if (filter?.overfull && !arrivedDuringLoad) reload();
  }

  return {
    /** False only when no exam here has this request number. */
    mightBeRegistered: (requestNo: string) => filter?.mightHave(requestNo) ?? true,
    /** This process is about to give an exam this request number. */
    add,
    onMessage: add,
    onListening(on: boolean) {
      listening = on;
      loads += 1;
      filter = null;
      arrivedDuringLoad = null;
      if (on) reload();
    },
  };
}
