import { describe, expect, it } from 'vitest';
import { createArrivalStore, type ReceiverChannel, type ReportFields } from './arrivals.js';

const fields = (o: Partial<ReportFields> & { version: number | null }): ReportFields & { idempotencyKey: string } => ({
  orderNo: 'SQ1',
  accessionNo: 'A-SQ1',
  visitSerialNo: null,
  supersedesVersion: null,
  revocationReason: null,
  patientName: '张三',
  conclusion: '轻度阻塞',
  reviewer: '王主任',
  approvedAt: null,
  signatureSerial: null,
  document: null,
  action: 'publish',
  ...o,
  idempotencyKey: o.idempotencyKey ?? (o.version === null ? 'MSH-10:X' : `rep-1:${o.version}`),
});
const revoke = (version: number | null, o: Partial<ReportFields> = {}) => fields({ version, action: 'revoke', revocationReason: '患者登记错误', ...o });

describe('the arrival store: revokes', () => {
  it('files a revoke apart from the version (same key), withdraws that version, and takes a repeat of either as a duplicate', () => {
    const store = createArrivalStore();
    const v1 = store.record('http', fields({ version: 1 })).arrival;
    const r = store.record('http', revoke(1));
    expect(r.duplicate).toBe(false);
    expect(r.arrival).toMatchObject({ action: 'revoke', version: 1, revocationReason: '患者登记错误', withdrawn: false, superseded: false, document: null, size: 0 });
    expect(v1).toMatchObject({ withdrawn: true, withdrawnBy: r.arrival.receiptNo, revocationReason: '患者登记错误', superseded: false });
    expect(store.record('http', revoke(1))).toMatchObject({ duplicate: true, arrival: { receiptNo: r.arrival.receiptNo, duplicatesIgnored: 1 } });
    // The same revoke under the delivery key `${key}:revoke` is the same delivery (order + version).
    expect(store.record('http', revoke(1, { idempotencyKey: 'rep-1:1:revoke' })).duplicate).toBe(true);
    expect(store.record('http', fields({ version: 1 }))).toMatchObject({ duplicate: true, arrival: { receiptNo: v1.receiptNo } });
    expect(store.list()).toHaveLength(2);
    expect(store.counts()).toMatchObject({ arrivals: 2, duplicatesIgnored: 3 });
  });

  it('withdraws the version on every channel, an ORU (no version) too, but not the other versions', () => {
    const store = createArrivalStore();
    const v1 = store.record('http', fields({ version: 1 })).arrival;
    const v2 = store.record('http', fields({ version: 2, action: 'replace' })).arrival;
    const oru = store.record('mllp', fields({ version: null, action: 'replace' })).arrival;
    const r = store.record('file', revoke(2, { idempotencyKey: 'rep-1:2:revoke' })).arrival;
    expect([v1.withdrawn, v2.withdrawn, oru.withdrawn]).toEqual([false, true, true]);
    expect(v1.superseded).toBe(true);
    expect(r).toMatchObject({ version: 2, superseded: false });
    // A revoke supersedes nothing (v2 was superseded by the ORU correction, whose version the HIS cannot know).
    expect(store.list().filter((a) => a.supersededBy === r.receiptNo)).toEqual([]);
  });

  it('an ORU revoke (no version) withdraws what is current for the order', () => {
    const store = createArrivalStore();
    const v1 = store.record('mllp', fields({ version: null, idempotencyKey: 'MSH-10:A' }), { extraKeys: ['msh10:A'] }).arrival;
    const v2 = store.record('mllp', fields({ version: null, idempotencyKey: 'MSH-10:B', action: 'replace' }), { extraKeys: ['msh10:B'] }).arrival;
    const r = store.record('mllp', revoke(null, { idempotencyKey: 'MSH-10:C' }), { extraKeys: ['msh10:C'] });
    expect(r.duplicate).toBe(false);
    expect([v1.superseded, v1.withdrawn, v2.superseded, v2.withdrawn]).toEqual([true, false, false, true]);
    expect(store.record('mllp', revoke(null, { idempotencyKey: 'MSH-10:C' }), { extraKeys: ['msh10:C'] }).duplicate).toBe(true);
  });

  it('a version that arrives after its revoke is withdrawn on arrival; a later correction is not, and supersedes', () => {
    const store = createArrivalStore();
    store.record('http', revoke(1));
    const late = store.record('sql' as ReceiverChannel, fields({ version: 1 })).arrival;
    expect(late).toMatchObject({ withdrawn: true, revocationReason: '患者登记错误' });
    const v2 = store.record('sql', fields({ version: 2, action: 'replace' })).arrival;
    expect(v2).toMatchObject({ withdrawn: false, superseded: false, replaces: 1 });
    expect(late).toMatchObject({ withdrawn: true, superseded: true, supersededBy: v2.receiptNo });
  });
});
