import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, given, signIn } from '../../test/given.js';
import { backends, type TestApp, testApp } from '../../test/harness.js';

interface PhraseReply {
  id: string;
  ownerId: string | null;
  scope: 'personal' | 'campus' | 'department';
  campusId: string | null;
  campusName: string | null;
  text: string;
  removable: boolean;
}

describe.each(backends)('常用语 scopes: personal, campus and department (PFTIS on %s)', (kind) => {
  let t: TestApp;
  let campusA: { id: string; name: string };
  let campusB: { id: string; name: string };
  let doctor: Client;
  let tech: Client;
  let reviewerA: Client;
  let reviewerB: Client;
  /** A reviewer working at both campuses, switching between them. */
  let travelling: Client;

  beforeAll(async () => {
    t = await testApp(kind);
    const g = given(t);
    campusA = await g.campus();
    campusB = await g.campus();
    const user = async (role: string, campusIds: string[]) => signIn(t, (await g.user({ roles: [role], campusIds })).username);
    doctor = await user('reporting_physician', [campusA.id]);
    tech = await user('technician', [campusA.id]);
    reviewerA = await user('reviewing_physician', [campusA.id]);
    reviewerB = await user('reviewing_physician', [campusB.id]);
    travelling = await user('reviewing_physician', [campusA.id, campusB.id]);
  });
  afterAll(() => t?.close());

  const texts = async (client: Client) => ((await client.request('GET', '/api/report-phrases')).json() as PhraseReply[]).map((p) => p.text);
  const add = async (client: Client, text: string, scope?: PhraseReply['scope'], extra: Record<string, unknown> = {}) => client.request('POST', '/api/report-phrases', { text, category: '通气', ...(scope ? { scope } : {}), ...extra });

  it("keeps a personal phrase to its owner: hidden from everyone else, and only the owner removes it", async () => {
    const added = await add(doctor, '建议结合临床。');
    expect(added.statusCode, added.body).toBe(201);
    const phrase = added.json() as PhraseReply;
    expect(phrase).toMatchObject({ scope: 'personal', campusId: null, removable: true });
    expect(phrase.ownerId).toBeTruthy();
    expect(await texts(doctor)).toContain('建议结合临床。');
    for (const other of [tech, reviewerA, reviewerB]) expect(await texts(other)).not.toContain('建议结合临床。');
    // Another user, even a senior reviewer, cannot see it and so cannot remove it.
    expect((await reviewerA.request('DELETE', `/api/report-phrases/${phrase.id}`)).statusCode).toBe(404);
    expect((await doctor.request('DELETE', `/api/report-phrases/${phrase.id}`)).statusCode).toBe(200);
    expect(await texts(doctor)).not.toContain('建议结合临床。');
  });

  it('shares with a campus or the department only for level-2 reviewers', async () => {
    for (const scope of ['campus', 'department'] as const) {
      const refused = await add(doctor, `医师共享-${scope}`, scope);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'auth.forbidden', title: '只有审核医师可以添加院区或科室常用语' });
    }
    // the former form of department-wide sharing is held to the same rule
    expect((await add(tech, '技师共享', undefined, { shared: true })).statusCode).toBe(403);
    expect(await t.database.db.selectFrom('phrase').select('id').where('text', 'like', '%共享%').execute()).toEqual([]);
    const invalid = await add(reviewerA, '范围错误', 'hospital' as never);
    expect(invalid.statusCode).toBe(400);
  });

  it("shows a campus phrase at its campus only, and a department phrase everywhere", async () => {
    const campusPhrase = (await add(reviewerA, '本院区：小气道功能障碍请复查。', 'campus')).json() as PhraseReply;
    expect(campusPhrase).toMatchObject({ scope: 'campus', ownerId: null, campusId: campusA.id, campusName: campusA.name, removable: true });
    const deptPhrase = (await add(reviewerB, '全科：支气管舒张试验阳性。', 'department')).json() as PhraseReply;
    expect(deptPhrase).toMatchObject({ scope: 'department', ownerId: null, campusId: null });
    // The legacy flag still means department-wide.
    expect((await add(reviewerA, '全科：弥散功能正常。', undefined, { shared: true })).json()).toMatchObject({ scope: 'department' });

    for (const atA of [doctor, tech, reviewerA]) expect(await texts(atA)).toEqual(expect.arrayContaining(['本院区：小气道功能障碍请复查。', '全科：支气管舒张试验阳性。', '全科：弥散功能正常。']));
    expect(await texts(reviewerB)).toEqual(expect.arrayContaining(['全科：支气管舒张试验阳性。']));
    expect(await texts(reviewerB)).not.toContain('本院区：小气道功能障碍请复查。');
    // Another campus's reviewer does not see the campus phrase, so cannot remove it.
    expect((await reviewerB.request('DELETE', `/api/report-phrases/${campusPhrase.id}`)).statusCode).toBe(404);

    // Working campus decides: the same person sees campus A's phrase at A, not after switching to B.
    const me = (await travelling.request('GET', '/api/auth/me')).json();
    expect(me.campusId).toBe(campusA.id);
    expect(await texts(travelling)).toContain('本院区：小气道功能障碍请复查。');
    expect((await travelling.request('POST', '/api/auth/campus', { campusId: campusB.id })).statusCode).toBe(200);
    expect(await texts(travelling)).not.toContain('本院区：小气道功能障碍请复查。');
    const atB = (await add(travelling, '分院区常用语', 'campus')).json() as PhraseReply;
    expect(atB.campusId).toBe(campusB.id);
    expect(await texts(reviewerA)).not.toContain('分院区常用语');
    expect(await texts(reviewerB)).toContain('分院区常用语');
  });

  it('lets only level-2 reviewers remove shared phrases, and audits adding and removing', async () => {
    const shared = (await add(reviewerA, '待删除的科室常用语', 'department')).json() as PhraseReply;
    const listed = ((await doctor.request('GET', '/api/report-phrases')).json() as PhraseReply[]).find((p) => p.id === shared.id)!;
    expect(listed.removable).toBe(false);
    const refused = await doctor.request('DELETE', `/api/report-phrases/${shared.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('phrase.not-yours');
    expect((await reviewerB.request('DELETE', `/api/report-phrases/${shared.id}`)).statusCode).toBe(200);
    expect((await reviewerB.request('DELETE', `/api/report-phrases/${shared.id}`)).statusCode).toBe(404);

    const campusPhrase = (await add(reviewerA, '待删除的院区常用语', 'campus')).json() as PhraseReply;
    expect((await tech.request('DELETE', `/api/report-phrases/${campusPhrase.id}`)).statusCode).toBe(403);
    expect((await reviewerA.request('DELETE', `/api/report-phrases/${campusPhrase.id}`)).statusCode).toBe(200);

    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'campusId', 'before', 'after']).where('entityId', 'in', [shared.id, campusPhrase.id]).orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.campusId])).toEqual([
      ['phrase.added', null],
      ['phrase.removed', null],
      ['phrase.added', campusA.id],
      ['phrase.removed', campusA.id],
    ]);
    expect(audit[1]!.before).toMatchObject({ text: '待删除的科室常用语', scope: 'department' });
  });

  it('refuses a phrase whose scope and owner or campus do not agree, in the database', async () => {
    await expect(sql`insert into phrase (text, scope) values ('无主个人常用语', 'personal')`.execute(t.database.db)).rejects.toThrow(/phrase_scope_fits/);
    await expect(sql`insert into phrase (text, scope) values ('无院区常用语', 'campus')`.execute(t.database.db)).rejects.toThrow(/phrase_scope_fits/);
    await expect(sql`insert into phrase (text, scope, campus_id) values ('带院区的科室常用语', 'department', ${campusA.id})`.execute(t.database.db)).rejects.toThrow(/phrase_scope_fits/);
  });
});
