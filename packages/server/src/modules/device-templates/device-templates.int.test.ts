import { BUILTIN_TEMPLATES, sentrySuiteEn } from '@pftis/formats/device-report/index';
import { devicePrintout, SAMPLE_PRINTOUT } from '@pftis/his-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

/** A bronchodilator test as the demo devices print it. */
const input = SAMPLE_PRINTOUT;

const NAME = sentrySuiteEn.name;
const base = sentrySuiteEn.version;

describe.each(backends)('device report templates (%s)', (kind) => {
  let t: TestApp;
  let admin: Client;
  let tech: Client;
  let adminName: string;

  beforeAll(async () => {
    t = await testApp(kind);
    adminName = (await given(t).user({ roles: ['system_admin'] })).username;
    admin = await signIn(t, adminName);
    tech = await signIn(t, (await given(t).user({ roles: ['technician', 'department_head'] })).username);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const upload = (client: Client, bytes: Uint8Array, query = '') =>
    t.app.inject({ method: 'POST', url: `/api/device-templates/try${query}`, payload: Buffer.from(bytes), headers: { cookie: client.cookie, 'x-csrf-token': client.csrfToken, 'content-type': 'application/octet-stream' } });
  const audit = (name: string) => t.database.db.selectFrom('auditLog').select(['action', 'before', 'after', 'detail', 'actorName']).where('entityType', '=', 'device_template').where('entityId', '=', name).orderBy('id').execute();
  const active = async (name: string) => (await t.services.deviceTemplates.activeTemplates()).find((x) => x.name === name);

  it('lists the built-in templates as active until a version is saved', async () => {
    const list = await admin.request('GET', '/api/device-templates');
    expect(list.statusCode).toBe(200);
    const names = list.json().map((x: { name: string }) => x.name);
    for (const b of BUILTIN_TEMPLATES) expect(names).toContain(b.name);
    expect(list.json().find((x: { name: string }) => x.name === NAME)).toMatchObject({ builtin: true, activeSource: 'builtin', activeVersion: base, savedVersions: 0 });
    expect((await t.services.deviceTemplates.activeTemplates()).map((x) => x.name).sort()).toEqual(BUILTIN_TEMPLATES.map((b) => b.name).sort());
  });

  it('refuses a template that does not parse, naming each wrong field, and saves nothing', async () => {
    const broken = {
      ...sentrySuiteEn,
      decimal: ';',
      anchors: [],
      tables: [{ ...sentrySuiteEn.tables[0]!, columns: [{ role: 'bogus', headers: ['Pred'] }, { role: 'pre', headers: ['Pre'], pattern: '(' }] }],
      surprise: true,
    };
    const response = await admin.request('POST', `/api/device-templates/${NAME}/versions`, { template: broken, comment: 'broken' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'device-template.invalid', title: '模板格式不正确，未保存' });
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['template.decimal', 'template.anchors', 'template.tables.0.columns.0.role', 'template.tables.0.columns.1.pattern', 'template']));
    const notJson = await admin.request('POST', `/api/device-templates/${NAME}/versions`, { template: 'not a template' });
    expect(notJson.statusCode).toBe(400);
    expect((await admin.request('GET', `/api/device-templates/${NAME}`)).json().savedVersions).toBe(0);
    expect(await audit(NAME)).toEqual([]);
  });

  it('saves versions, overrides the built-in, rolls back, enables and disables — each audited', async () => {
    const edited = { ...sentrySuiteEn, description: 'SentrySuite, our lab', fields: sentrySuiteEn.fields.filter((f) => f.field !== 'operator'), version: 99, name: 'ignored' };
    const saved = await admin.request('POST', `/api/device-templates/${NAME}/versions`, { template: edited, comment: '不读操作员' });
    expect(saved.statusCode).toBe(201);
    expect(saved.json()).toEqual({ name: NAME, version: base + 1 });
    expect(await active(NAME)).toMatchObject({ name: NAME, version: base + 1, description: 'SentrySuite, our lab' });
    expect((await active(NAME))!.fields.some((f) => f.field === 'operator')).toBe(false);

    // a second version, saved disabled: the first stays in use
    const draft = await admin.request('POST', `/api/device-templates/${NAME}/versions`, { template: { ...edited, minScore: 0.5 }, comment: '试验', enable: false });
    expect(draft.json().version).toBe(base + 2);
    expect((await active(NAME))!.version).toBe(base + 1);

    const detail = (await admin.request('GET', `/api/device-templates/${NAME}`)).json();
    expect(detail).toMatchObject({ activeSource: 'saved', activeVersion: base + 1, latestVersion: base + 2, savedVersions: 2 });
    expect(detail.versions.map((v: { version: number; builtin: boolean; enabled: boolean; active: boolean }) => [v.version, v.builtin, v.enabled, v.active])).toEqual([
      [base + 2, false, false, false],
      [base + 1, false, true, true],
      [base, true, false, false],
    ]);
    expect(detail.versions[1]).toMatchObject({ comment: '不读操作员', createdByName: adminName });
    const changed = detail.versions[1].diff.filter((d: { kind: string }) => d.kind !== 'same');
    expect(changed).toEqual(expect.arrayContaining([{ kind: 'added', text: '  "description": "SentrySuite, our lab",' }, expect.objectContaining({ kind: 'removed', text: expect.stringContaining('"operator"') })]));
    expect(detail.versions[0].diff.filter((d: { kind: string }) => d.kind !== 'same')).toEqual([
      ...(sentrySuiteEn.minScore === undefined ? [] : [{ kind: 'removed', text: `  "minScore": ${sentrySuiteEn.minScore},` }]),
      { kind: 'added', text: '  "minScore": 0.5,' },
    ]);

    // enable the second: the first is disabled with it (one enabled version per name)
    expect((await admin.request('POST', `/api/device-templates/${NAME}/versions/${base + 2}/enabled`, { enabled: true })).json()).toEqual({ enabled: true });
    expect((await active(NAME))!.version).toBe(base + 2);
    const enabledRows = await t.database.db.selectFrom('deviceTemplate').select('version').where('name', '=', NAME).where('enabled', '=', true).execute();
    expect(enabledRows).toEqual([{ version: base + 2 }]);

    // disable it: the built-in applies again
    await admin.request('POST', `/api/device-templates/${NAME}/versions/${base + 2}/enabled`, { enabled: false });
    expect(await active(NAME)).toEqual(sentrySuiteEn);
    expect((await admin.request('GET', '/api/device-templates')).json().find((x: { name: string }) => x.name === NAME)).toMatchObject({ activeSource: 'builtin', activeVersion: base });
    const builtinToggle = await admin.request('POST', `/api/device-templates/${NAME}/versions/${base}/enabled`, { enabled: false });
    expect(builtinToggle.statusCode).toBe(409);
    expect((await admin.request('POST', `/api/device-templates/${NAME}/versions/77/enabled`, { enabled: true })).statusCode).toBe(404);

    // roll back to version base+1, then to the built-in: each a new, enabled version
    const back = await admin.request('POST', `/api/device-templates/${NAME}/rollback`, { version: base + 1 });
    expect(back.json()).toEqual({ name: NAME, version: base + 3 });
    expect(await active(NAME)).toMatchObject({ version: base + 3, description: 'SentrySuite, our lab' });
    const toBuiltin = await admin.request('POST', `/api/device-templates/${NAME}/rollback`, { version: base });
    expect(toBuiltin.json().version).toBe(base + 4);
    expect(await active(NAME)).toEqual({ ...sentrySuiteEn, version: base + 4 });
    const last = (await admin.request('GET', `/api/device-templates/${NAME}`)).json().versions[0];
    expect(last).toMatchObject({ version: base + 4, comment: `回滚到 v${base}`, active: true });
    expect((await admin.request('POST', `/api/device-templates/${NAME}/rollback`, { version: 42 })).statusCode).toBe(404);

    const rows = await audit(NAME);
    expect(rows.map((r) => r.action)).toEqual([
      'device-template.saved', 'device-template.saved', 'device-template.enabled', 'device-template.disabled', 'device-template.rolled-back', 'device-template.rolled-back',
    ]);
    expect(rows[0]).toMatchObject({ actorName: adminName, before: sentrySuiteEn, after: expect.objectContaining({ version: base + 1, description: 'SentrySuite, our lab' }), detail: { version: base + 1, comment: '不读操作员', enabled: true } });
    expect(rows[2]).toMatchObject({ before: { enabledVersion: base + 1 }, after: { enabledVersion: base + 2 } });
    expect(rows[3]).toMatchObject({ before: { enabledVersion: base + 2 }, after: { enabledVersion: null } });
    expect(rows[4]).toMatchObject({ detail: { version: base + 3, copiedFrom: base + 1 } });
  });

  it('keeps templates of new names beside the built-ins', async () => {
    const own = { ...sentrySuiteEn, name: 'x', vendor: 'Our lab', anchors: [{ text: 'Our Lab Spirometry' }] };
    const saved = await admin.request('POST', '/api/device-templates/our-lab-en/versions', { template: own, comment: '本院版式' });
    expect(saved.json()).toEqual({ name: 'our-lab-en', version: 1 });
    expect(await active('our-lab-en')).toMatchObject({ name: 'our-lab-en', version: 1, vendor: 'Our lab' });
    expect((await admin.request('GET', '/api/device-templates')).json().find((x: { name: string }) => x.name === 'our-lab-en')).toMatchObject({ builtin: false, activeSource: 'saved', activeVersion: 1 });
    await admin.request('POST', '/api/device-templates/our-lab-en/versions/1/enabled', { enabled: false });
    expect(await active('our-lab-en')).toBeUndefined();
    expect((await admin.request('GET', '/api/device-templates/no-such-template')).statusCode).toBe(404);
    expect((await admin.request('GET', '/api/device-templates/Bad Name!')).statusCode).toBe(400);
  });

  it('tries a generated device PDF: pages, text items, the extraction traced to its text, and every template scored', async () => {
    const pdf = devicePrintout('sentrysuite', input);
    const response = await upload(admin, pdf);
    expect(response.statusCode).toBe(200);
    const r = response.json();
    expect(r).toMatchObject({ format: 'pdf', reason: null, chosen: NAME, template: { name: NAME } });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.pages).toEqual([{ page: 1, width: expect.closeTo(595.28, 1), height: expect.closeTo(841.89, 1) }]);
    expect(r.items.length).toBeGreaterThan(20);
    expect(r.extraction.patient).toMatchObject({ id: 'P00012345', sex: 'M', birthDate: '1961-03-12' });
    expect(r.extraction.measurements.find((m: { param: string; stage: string }) => m.param === 'FEV1' && m.stage === 'pre')).toMatchObject({ value: 1.98, predicted: 3.01 });
    // every active template scored, the fitting one first
    expect(r.scores.map((s: { name: string }) => s.name).sort()).toEqual((await t.services.deviceTemplates.activeTemplates()).map((x) => x.name).sort());
    expect(r.scores[0]).toMatchObject({ name: NAME, fits: true });
    expect(r.scores[0].score).toBeGreaterThanOrEqual(r.scores[0].minScore);
    for (const s of r.scores.slice(1)) expect(s.score).toBeLessThan(r.scores[0].score);
    // the trace: each value back to the text items it was read from
    const itemText = (source: { items: number[] }) => source.items.map((i) => r.items[i].text).join(' ');
    type Traced = { field: string; label: { items: number[] }; value: { items: number[]; boxes: Array<{ text: string }> } };
    const id = r.trace.fields.find((f: Traced) => f.field === 'patientId') as Traced;
    expect(itemText(id.value)).toContain('P00012345');
    expect(id.value.boxes.map((b) => b.text).join(' ')).toBe('P00012345');
    expect(r.trace.measurements).toHaveLength(r.extraction.measurements.length);
    const fev1 = r.extraction.measurements.findIndex((m: { param: string; stage: string }) => m.param === 'FEV1' && m.stage === 'pre');
    expect(itemText(r.trace.measurements[fev1].label)).toMatch(/FEV\s*1/);
    expect(r.trace.measurements[fev1].cells.pre.boxes.map((b: { text: string }) => b.text)).toEqual(['1.98']);
    expect(r.trace.measurements[fev1].cells.predicted.boxes.map((b: { text: string }) => b.text)).toEqual(['3.01']);
    expect(itemText(r.trace.conclusion.text)).toContain('Moderate obstructive');
    expect(r.trace.anchors.every((a: { found: boolean }) => a.found)).toBe(true);

    // a chosen saved version, by name and version
    const named = (await upload(admin, pdf, `?name=${NAME}&version=${base + 1}`)).json();
    expect(named.template).toEqual({ name: NAME, version: base + 1, source: 'saved' });
    expect(named.extraction.test.operator).toBeNull();
    expect((await upload(admin, pdf, `?name=${NAME}&version=999`)).statusCode).toBe(404);

    // the unsaved template being edited, on the text already read
    const draft = { ...sentrySuiteEn, fields: sentrySuiteEn.fields.filter((f) => f.field !== 'patientId') };
    const again = await admin.request('POST', '/api/device-templates/try-draft', { format: r.format, pages: r.pages, items: r.items, template: draft });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ template: { name: NAME, source: 'draft' }, sha256: null });
    expect(again.json().extraction.patient.id).toBeNull();
    expect(again.json().extraction.measurements).toEqual(r.extraction.measurements);
    const invalid = await admin.request('POST', '/api/device-templates/try-draft', { format: r.format, pages: r.pages, items: r.items, template: { ...draft, dateFormat: 'someday' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors).toEqual([expect.objectContaining({ field: 'template.dateFormat' })]);

    const tried = (await audit(NAME)).filter((a) => a.action === 'device-template.tried');
    expect(tried).toHaveLength(2);
    expect(tried[0]!.detail).toMatchObject({ sha256: r.sha256, bytes: pdf.length, format: 'pdf' });
  });

  it('reads what it can of a file that is neither a PDF nor an image, and says why', async () => {
    const response = await upload(admin, new TextEncoder().encode('hello, not a report'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ items: [], extraction: null, template: null, scores: [], reason: expect.stringMatching(/不是 PDF 或可识别的图片/) });
    expect((await upload(admin, new Uint8Array())).statusCode).toBe(400);
  });

  it('refuses every template route to a user without device.template, and each route declares it', async () => {
    const declared = t.routes.filter((r) => r.url.startsWith('/api/device-templates') && r.method !== 'HEAD');
    expect(declared.length).toBe(7);
    for (const r of declared) expect(r.access, `${r.method} ${r.url}`).toBe('device.template');
    const pdf = devicePrintout('sentrysuite', input);
    const attempts = [
      await tech.request('GET', '/api/device-templates'),
      await tech.request('GET', `/api/device-templates/${NAME}`),
      await tech.request('POST', `/api/device-templates/${NAME}/versions`, { template: sentrySuiteEn, comment: '' }),
      await tech.request('POST', `/api/device-templates/${NAME}/rollback`, { version: base }),
      await tech.request('POST', `/api/device-templates/${NAME}/versions/${base + 1}/enabled`, { enabled: true }),
      await upload(tech, pdf),
      await tech.request('POST', '/api/device-templates/try-draft', { format: 'pdf', pages: [], items: [], template: sentrySuiteEn }),
    ];
    expect(attempts.map((a) => a.statusCode)).toEqual(Array(7).fill(403));
    expect((await t.database.db.selectFrom('auditLog').select('action').where('action', 'like', 'device-template.%').where('actorName', '!=', adminName).execute()).length).toBe(0);
  });
});
