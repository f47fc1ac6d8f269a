import { describe, expect, it } from 'vitest';
import { bindParameters, checkSelectOnly, namedParameters } from './sql-guard.js';

describe.each(['mysql', 'postgres'] as const)('SELECT-only guard (%s)', (dialect) => {
  it.each([
    'SELECT * FROM V_PFT_APPLY WHERE SQDH = :requestNo',
    "SELECT a.SQDH, p.BRXM FROM V_PFT_APPLY a JOIN V_PFT_PATIENT p ON p.BRID = a.BRID WHERE a.BRID = :patientId AND a.ZT IN ('0', '1') ORDER BY a.SQSJ",
    'WITH recent AS (SELECT * FROM V_PFT_APPLY WHERE BRID = :patientId) SELECT * FROM recent',
    "SELECT * FROM V_PFT_PATIENT WHERE JZKH = :key AND BRXM <> ':not_a_param'",
  ])('accepts %s', (sql) => {
    expect(checkSelectOnly(sql, dialect)).toMatchObject({ ok: true });
  });

  it.each([
    ['SELECT 1; DROP TABLE HIS_BRXX', /只允许一条/],
    ['DELETE FROM HIS_JCSQ', /只允许 SELECT/],
    ["UPDATE HIS_JCSQ SET ZT = '9'", /只允许 SELECT/],
    ['SELECT * FROM V_PFT_APPLY FOR UPDATE', /加锁|无法解析/],
    ['SELECT * FROM t WHERE a = (SELECT sleep(10))', /sleep/],
    ['', /无法解析|只允许/],
    ['SELEC * FROM t', /无法解析/],
  ])('refuses %s', (sql, reason) => {
    const result = checkSelectOnly(sql, dialect);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('tricks specific to one dialect', () => {
  it('refuses a writable CTE (PostgreSQL)', () => {
    expect(checkSelectOnly('WITH d AS (DELETE FROM HIS_JCSQ RETURNING *) SELECT * FROM d', 'postgres').ok).toBe(false);
    expect(checkSelectOnly('WITH u AS (UPDATE HIS_JCSQ SET ZT = 9 RETURNING SQDH) SELECT * FROM u', 'postgres').ok).toBe(false);
  });
  it('refuses SELECT INTO a table or a file', () => {
    expect(checkSelectOnly('SELECT * INTO stolen FROM HIS_BRXX', 'postgres')).toMatchObject({ ok: false, reason: expect.stringMatching(/INTO/) });
    expect(checkSelectOnly("SELECT * FROM HIS_BRXX INTO OUTFILE '/tmp/x'", 'mysql')).toMatchObject({ ok: false, reason: expect.stringMatching(/INTO/) });
  });
  it('refuses pg_sleep and set_config (PostgreSQL)', () => {
    expect(checkSelectOnly('SELECT pg_sleep(30)', 'postgres').ok).toBe(false);
    expect(checkSelectOnly("SELECT set_config('x', 'y', false)", 'postgres').ok).toBe(false);
  });
});

describe('named parameters', () => {
  it('finds them in order, ignoring strings, comments and casts', () => {
    expect(namedParameters("SELECT * FROM t WHERE a = :card -- :comment\n AND b = ':text' AND c = :card AND d::date = :day /* :x */")).toEqual(['card', 'day']);
  });
  it('binds them for each driver', () => {
    const sql = 'SELECT * FROM t WHERE a = :key OR b = :key AND c > :since';
    expect(bindParameters(sql, 'mysql', { key: 'K', since: 1 })).toEqual({ text: 'SELECT * FROM t WHERE a = ? OR b = ? AND c > ?', values: ['K', 'K', 1] });
    expect(bindParameters(sql, 'postgres', { key: 'K', since: 1 })).toEqual({ text: 'SELECT * FROM t WHERE a = $1 OR b = $2 AND c > $3', values: ['K', 'K', 1] });
    expect(() => bindParameters(sql, 'postgres', { key: 'K' })).toThrow(/:since/);
  });
});

describe('status write-back guard', () => {
  it('accepts one UPDATE or INSERT and nothing else', async () => {
    const { checkWriteBack } = await import('./sql-guard.js');
    expect(checkWriteBack('UPDATE HIS_JCSQ SET ZT = :status, GXSJ = :changedAt WHERE SQDH = :requestNo', 'mysql')).toEqual({ ok: true, params: ['status', 'changedAt', 'requestNo'] });
    expect(checkWriteBack('INSERT INTO PFT_STATUS (SQDH, ZT) VALUES (:requestNo, :status)', 'postgres').ok).toBe(true);
    expect(checkWriteBack('DELETE FROM HIS_JCSQ', 'mysql').ok).toBe(false);
    expect(checkWriteBack("UPDATE HIS_JCSQ SET ZT = '1'; DROP TABLE HIS_BRXX", 'mysql').ok).toBe(false);
    expect(checkWriteBack('SELECT 1', 'postgres').ok).toBe(false);
  });
});
