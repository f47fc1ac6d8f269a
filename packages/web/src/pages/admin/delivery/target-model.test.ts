import { describe, expect, it } from 'vitest';
import type { Translate } from '../../../i18n/I18nProvider.tsx';
import { zh } from '../../../i18n/zh.ts';
import type { DeliveryTargetView } from './api.ts';
import {
  ALL_CAMPUSES,
  configToForm,
  DEFAULT_NAME_PATTERN,
  defaultConfig,
  duplicateHeaders,
  fieldErrorsToForm,
  formatWaiting,
  formToBody,
  isWriteStatement,
  namePatternProblems,
  newTargetForm,
  rowsToHeaders,
  sqlParameterNames,
  targetHealth,
  targetToForm,
  unknownSqlParameters,
} from './target-model.ts';

const view = (over: Partial<DeliveryTargetView>): DeliveryTargetView => ({
  id: 't1', campusId: null, name: '集成平台', kind: 'http', document: 'pdf', config: {}, hasSecret: false, updateStatus: false, maxAttempts: 8, enabled: true, updatedAt: '2026-11-25T00:00:00.000Z', ...over,
});

const t: Translate = (key, values) => {
  const text: string = zh[key];
  return values ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m)) : text;
};

describe('target form ↔ request body', () => {
  it('round-trips an HTTP target: headers as rows, the timeout in seconds, the campus "all" as null', () => {
    const stored = view({
      config: { url: 'https://his.example.cn/report', format: 'xml', template: '', authHeader: 'X-Api-Key', headers: { 'X-Hospital': 'H001', 'X-Channel': 'pft' }, timeoutMs: 2500 },
      hasSecret: true,
    });
    const form = targetToForm(stored);
    expect(form.campusId).toBe(ALL_CAMPUSES);
    expect(form.config).toEqual({
      url: 'https://his.example.cn/report', format: 'xml', template: '', authHeader: 'X-Api-Key',
      headers: [{ name: 'X-Hospital', value: 'H001' }, { name: 'X-Channel', value: 'pft' }], timeoutS: 2.5,
    });
    const body = formToBody(form, stored);
    expect(body).toEqual({
      kind: 'http', name: '集成平台', campusId: null, document: 'pdf', updateStatus: false, maxAttempts: 8, enabled: true,
      config: { url: 'https://his.example.cn/report', format: 'xml', template: '', authHeader: 'X-Api-Key', headers: { 'X-Hospital': 'H001', 'X-Channel': 'pft' }, timeoutMs: 2500 },
    });
    expect(body).not.toHaveProperty('secret');
  });

  it('sends the secret only when typed, "" to remove it, and never for kinds without one', () => {
    const form = { ...newTargetForm('http'), name: 'A', config: { ...defaultConfig('http'), url: 'http://x/' } };
    expect(formToBody(form)).not.toHaveProperty('secret');
    expect(formToBody({ ...form, secret: '   ' })).not.toHaveProperty('secret');
    expect(formToBody({ ...form, secret: ' tok-123 ' })).toMatchObject({ secret: 'tok-123' });
    expect(formToBody({ ...form, secret: 'typed', clearSecret: true })).toMatchObject({ secret: '' });
    const hl7 = { ...newTargetForm('hl7'), name: 'B', secret: 'left over from http', config: { ...defaultConfig('hl7'), host: 'his', port: 2575 } };
    expect(formToBody(hl7)).not.toHaveProperty('secret');
  });

  it('keeps stored configuration the form does not edit when the kind stays, drops it when the kind changes', () => {
    const stored = view({ kind: 'sql', config: { statements: ['UPDATE a SET b = :requestNo'], revokeStatements: ['UPDATE a SET withdrawn = 1 WHERE k = :idempotencyKey'], timeoutMs: 15000 } });
    const form = targetToForm(stored);
    const body = formToBody({ ...form, config: { ...form.config, statements: ['  UPDATE a SET c = :accessionNo  ', '   ', 'INSERT INTO x VALUES (:pdf)'] } }, stored);
    expect(body.config).toEqual({
      statements: ['UPDATE a SET c = :accessionNo', 'INSERT INTO x VALUES (:pdf)'],
      revokeStatements: ['UPDATE a SET withdrawn = 1 WHERE k = :idempotencyKey'],
      timeoutMs: 15000,
    });
    const asFile = formToBody({ ...form, kind: 'file', config: { ...defaultConfig('file'), folder: ' /mnt/his ' } }, stored);
    expect(asFile.config).toEqual({ folder: '/mnt/his', namePattern: DEFAULT_NAME_PATTERN, sidecar: 'json' });
  });

  it('fills a stored configuration up with the defaults of its kind', () => {
    expect(configToForm('hl7', { host: '10.0.0.5', port: 2575 })).toEqual({ ...defaultConfig('hl7'), host: '10.0.0.5', port: 2575 });
    expect(configToForm('sql', {})).toEqual({ statements: [''], timeoutS: 15 });
    expect(configToForm('file', null).namePattern).toBe(DEFAULT_NAME_PATTERN);
    expect(targetToForm(view({ kind: 'fhir', campusId: 'c-1', document: 'jpg', config: { baseUrl: 'https://fhir/' } }))).toMatchObject({ kind: 'fhir', campusId: 'c-1', document: 'jpg', config: { baseUrl: 'https://fhir/', timeoutS: 15 } });
  });

  it('sends a campus, an empty file name pattern as the default, and never updateStatus for SQL', () => {
    const file = formToBody({ ...newTargetForm('file'), name: ' 共享 ', campusId: 'c-9', updateStatus: true, config: { folder: '/x', namePattern: '  ', sidecar: 'none' } });
    expect(file).toMatchObject({ name: '共享', campusId: 'c-9', updateStatus: true, config: { folder: '/x', namePattern: DEFAULT_NAME_PATTERN, sidecar: 'none' } });
    const sql = formToBody({ ...newTargetForm('sql'), name: 'S', updateStatus: true, config: { statements: ['UPDATE t SET x = :version'], timeoutS: null } });
    expect(sql).toMatchObject({ updateStatus: false, config: { timeoutMs: 15000 } });
  });

  it('merges header rows: blank names dropped, values trimmed, the last of a name (any case) wins', () => {
    expect(rowsToHeaders([{ name: ' X-A ', value: ' 1 ' }, { name: '', value: 'lost' }, { name: 'x-a', value: '2' }, { name: 'X-B' }])).toEqual({ 'x-a': '2', 'X-B': '' });
    expect(duplicateHeaders([{ name: 'X-A' }, { name: 'x-a ' }, { name: 'X-B' }, {}])).toEqual(['x-a']);
  });
});

describe('server field errors on the form', () => {
  it('puts each error on its field: statements by index, header keys on the list, the timeout on seconds', () => {
    const { fields, rest } = fieldErrorsToForm([
      { field: 'body.name', message: '请填写名称' },
      { field: 'body.config.url', message: '地址格式不正确' },
      { field: 'body.config.url', message: '只支持 http(s)' },
      { field: 'body.config.statements.1', message: 'Too small' },
      { field: 'body.config.statements', message: '至少配置一条写入语句' },
      { field: 'body.config.headers.X-Long', message: 'Too big' },
      { field: 'body.config.timeoutMs', message: 'Too small: expected number to be >=500' },
      { field: 'body.config', message: 'Invalid input' },
      { field: 'body.whatever', message: '?' },
    ]);
    expect(fields).toEqual([
      { name: ['name'], errors: ['请填写名称'] },
      { name: ['config', 'url'], errors: ['地址格式不正确', '只支持 http(s)'] },
      { name: ['config', 'statements', 1], errors: ['Too small'] },
      { name: ['config', 'statements'], errors: ['至少配置一条写入语句'] },
      { name: ['config', 'headers'], errors: ['Too big'] },
      { name: ['config', 'timeoutS'], errors: ['Too small: expected number to be >=500'] },
    ]);
    expect(rest.map((e) => e.field)).toEqual(['body.config', 'body.whatever']);
    expect(fieldErrorsToForm(undefined)).toEqual({ fields: [], rest: [] });
  });
});

describe('SQL statements', () => {
  it('finds :parameters as the server does, skipping literals, comments and casts', () => {
    const sql = "UPDATE r SET s = ':notAParam', d = :approvedAt::timestamp, t = '12:30' -- :comment\n/* :block */ WHERE k = :idempotencyKey AND n = :requestNo AND m = :requestNo";
    expect(sqlParameterNames(sql)).toEqual(['approvedAt', 'idempotencyKey', 'requestNo']);
    expect(unknownSqlParameters('INSERT INTO x VALUES (:requestNo, :pdf, :reportId, :doctorName, :cardNo)')).toEqual(['doctorName', 'cardNo']);
  });

  it('accepts only INSERT or UPDATE, leading comments aside', () => {
    expect(isWriteStatement('  insert into x values (1)')).toBe(true);
    expect(isWriteStatement('-- write the report\n/* v2 */ UPDATE x SET y = 1')).toBe(true);
    expect(isWriteStatement('DELETE FROM x')).toBe(false);
    expect(isWriteStatement('select 1; update x set y = 1')).toBe(false);
    expect(isWriteStatement('updated_at = 1')).toBe(false);
  });
});

describe('file name patterns', () => {
  it('needs a placeholder that tells reports apart and knows only the placeholders of the server', () => {
    expect(namePatternProblems(DEFAULT_NAME_PATTERN)).toEqual([]);
    expect(namePatternProblems('{reportId}.{ext}')).toEqual([]);
    expect(namePatternProblems('{examDate}_{patientName}')).toEqual([{ kind: 'unknown', placeholder: '{patientName}' }, { kind: 'noKey' }]);
    expect(namePatternProblems('{requestNo}_v{version')).toEqual([{ kind: 'unbalanced' }]);
  });
});

describe('monitor', () => {
  it('shows how long the oldest job has waited', () => {
    expect(formatWaiting(null, t)).toBe('—');
    expect(formatWaiting(0, t)).toBe('不到 1 分钟');
    expect(formatWaiting(59, t)).toBe('59 分钟');
    expect(formatWaiting(125, t)).toBe('2 小时 5 分钟');
    expect(formatWaiting(24 * 60 * 3 + 61, t)).toBe('3 天 1 小时');
  });

  it('marks dead letters first, then a backlog, then a disabled target', () => {
    const base = { enabled: true, failed: 0, oldestPendingMinutes: null };
    expect(targetHealth(base)).toBe('ok');
    expect(targetHealth({ ...base, oldestPendingMinutes: 29 })).toBe('ok');
    expect(targetHealth({ ...base, oldestPendingMinutes: 30 })).toBe('delayed');
    expect(targetHealth({ ...base, oldestPendingMinutes: 30, failed: 1 })).toBe('failed');
    expect(targetHealth({ ...base, enabled: false })).toBe('disabled');
  });
});
