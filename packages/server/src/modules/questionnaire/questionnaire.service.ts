import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { DB, QuestionnaireDefinitionTable } from '../../db/types.js';
import type { Actor } from '../../platform/access.js';
import { type AuditActor, recordAudit, recordAuditAlone } from '../../platform/audit.js';
import { AppError, Conflict, type FieldError, NotFound, zodFieldErrors } from '../../platform/errors.js';
import { hospitalDate } from '../../platform/hospital-time.js';
import { actorRef } from '../auth/auth.service.js';
import { applicableAnswers, BUILTIN_QUESTIONNAIRE, flagsOf, validateAnswers } from './definition.js';
import { type Answers, type DefinitionView, type Flag, QuestionnaireContent } from './questionnaire.schemas.js';

type Executor = Kysely<DB> | Transaction<DB>;
type DefinitionRow = Selectable<QuestionnaireDefinitionTable>;

export class QuestionnaireInvalid extends AppError {
  constructor(errors: FieldError[]) {
    super({ code: 'questionnaire.invalid', status: 400, title: `问卷有 ${errors.length} 处需要修改，尚未保存`, extra: { errors } });
  }
}

export class DefinitionInvalid extends AppError {
  constructor(errors: FieldError[]) {
    super({ code: 'questionnaire.definition-invalid', status: 400, title: '问卷定义不正确，未保存', extra: { errors } });
  }
}

const BUILTIN_COMMENT = '内置默认问卷（ATS/ERS 2019）';

/** The built-in questionnaire as a definition that is not saved yet. */
const builtinView = (): DefinitionView => ({ id: null, campusId: null, version: 1, content: BUILTIN_QUESTIONNAIRE, comment: BUILTIN_COMMENT, createdByName: 'PFTIS', createdAt: null });

function viewOf(row: DefinitionRow): DefinitionView {
  // Stored versions were checked when saved; a version that no longer parses (a later, stricter schema) is shown as stored.
  const parsed = QuestionnaireContent.safeParse(row.content);
  return {
    id: row.id,
    campusId: row.campusId,
    version: row.version,
    content: parsed.success ? parsed.data : (row.content as DefinitionView['content']),
    comment: row.comment,
    createdByName: row.createdByName,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The newest saved version of a scope (campusId null: the lab-wide questionnaire). */
async function newest(ex: Executor, campusId: string | null): Promise<DefinitionRow | undefined> {
  let query = ex.selectFrom('questionnaireDefinition').selectAll();
  query = campusId === null ? query.where('campusId', 'is', null) : query.where('campusId', '=', campusId);
  return query.orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** The questionnaire a campus fills in now: its own newest version, else the lab's, else the built-in. */
export async function definitionFor(ex: Executor, campusId: string): Promise<DefinitionView> {
  const row = (await newest(ex, campusId)) ?? (await newest(ex, null));
  return row ? viewOf(row) : builtinView();
}

/** The answers in force for an exam, with the definition they were given against; null when none. For the report workspace. */
export async function questionnaireOfExam(ex: Executor, examId: string) {
  const rows = await ex.selectFrom('questionnaireAnswer').selectAll().where('examId', '=', examId).orderBy('revision', 'desc').execute();
  const latest = rows[0];
  if (!latest) return null;
  const definition = await ex.selectFrom('questionnaireDefinition').selectAll().where('id', '=', latest.definitionId).executeTakeFirstOrThrow();
  return { ...answerSet(latest, definition.version), definition: viewOf(definition), revisions: rows.length };
}

function answerSet(row: Selectable<DB['questionnaireAnswer']>, definitionVersion: number) {
  return {
    revision: row.revision,
    definitionId: row.definitionId,
    definitionVersion,
    answers: row.answers as Answers,
    flags: row.flags as Flag[],
    answeredByName: row.answeredByName,
    answeredAt: row.answeredAt.toISOString(),
  };
}

export type QuestionnaireService = ReturnType<typeof createQuestionnaireService>;

/**
 * 问卷调查: the lab's pre-test questionnaire (versioned, lab-wide or per campus, edited by administrators) and the
 * answers given for each exam before the test (appended as revisions, validated against the version they answer).
 */
export function createQuestionnaireService({ db, now = () => new Date() }: { db: Kysely<DB>; now?: () => Date }) {
  /** Serialises definition changes: version numbers stay gapless and the built-in is saved once. */
  const lockDefinitions = (trx: Transaction<DB>) => sql`select pg_advisory_xact_lock(hashtext('questionnaire_definition'))`.execute(trx);

  /** Saves the built-in as version 1 of the lab-wide questionnaire, unless the lab has one; returns the lab's version 1. */
  async function installBuiltin(trx: Transaction<DB>, actor: AuditActor): Promise<DefinitionRow> {
    await lockDefinitions(trx);
    const first = await trx.selectFrom('questionnaireDefinition').selectAll().where('campusId', 'is', null).where('version', '=', 1).executeTakeFirst();
    if (first) return first;
    const row = await trx
      .insertInto('questionnaireDefinition')
      .values({ campusId: null, version: 1, content: JSON.stringify(BUILTIN_QUESTIONNAIRE), comment: BUILTIN_COMMENT, createdBy: null, createdByName: 'PFTIS', createdAt: now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'questionnaire.definition-installed', entityType: 'questionnaire_definition', entityId: row.id, after: { version: 1, builtin: true } }, now());
    return row;
  }

  async function campusName(ex: Executor, campusId: string) {
    const campus = await ex.selectFrom('campus').select('name').where('id', '=', campusId).executeTakeFirst();
    if (!campus) throw new NotFound('campus', campusId);
    return campus.name;
  }

  /** Every scope: the lab-wide questionnaire and each active campus, with the version it uses. */
  async function scopes() {
    const [rows, campuses] = await Promise.all([
      db.selectFrom('questionnaireDefinition').select(['campusId', 'version', 'createdByName', 'createdAt']).orderBy('version').execute(),
      db.selectFrom('campus').select(['id', 'name']).where('active', '=', true).orderBy('code').execute(),
    ]);
    const summary = (campusId: string | null) => {
      const own = rows.filter((r) => r.campusId === campusId);
      const latest = own[own.length - 1];
      return { savedVersions: own.length, version: latest?.version ?? null, updatedAt: latest ? latest.createdAt.toISOString() : null, updatedByName: latest?.createdByName ?? null };
    };
    const lab = summary(null);
    return [
      { campusId: null, campusName: null, ...lab, version: lab.version ?? 1, own: true, builtin: lab.savedVersions === 0 },
      ...campuses.map((c) => {
        const s = summary(c.id);
        // a campus without its own version fills in the lab's
        return { campusId: c.id, campusName: c.name, ...s, version: s.version ?? lab.version ?? 1, own: s.savedVersions > 0, builtin: s.savedVersions === 0 && lab.savedVersions === 0 };
      }),
    ];
  }

  /** One scope: what it fills in now, its own versions (newest first) and the built-in to start from. */
  async function history(campusId: string | null) {
    if (campusId) await campusName(db, campusId);
    let query = db.selectFrom('questionnaireDefinition').selectAll();
    query = campusId === null ? query.where('campusId', 'is', null) : query.where('campusId', '=', campusId);
    const rows = await query.orderBy('version', 'desc').execute();
    const current = campusId ? await definitionFor(db, campusId) : rows[0] ? viewOf(rows[0]) : builtinView();
    return { current, versions: rows.map(viewOf), builtin: BUILTIN_QUESTIONNAIRE };
  }

  /** Saves a questionnaire as the next version of its scope; it is filled in from now on. */
  async function saveDefinition(actor: AuditActor, input: { campusId: string | null; content?: unknown; comment: string }) {
    // checked before the transaction: a definition that does not parse leaves no trace but the refusal
    const parsed = QuestionnaireContent.safeParse(input.content);
    if (!parsed.success) throw new DefinitionInvalid(zodFieldErrors(parsed.error, 'content'));
    if (input.campusId) await campusName(db, input.campusId);
    return db.transaction().execute(async (trx) => {
      // the lab's history starts with the built-in it replaces
      if (input.campusId === null) await installBuiltin(trx, actor);
      else await lockDefinitions(trx);
      const before = await newest(trx, input.campusId);
      const version = (before?.version ?? 0) + 1;
      const row = await trx
        .insertInto('questionnaireDefinition')
        .values({ campusId: input.campusId, version, content: JSON.stringify(parsed.data), comment: input.comment, createdBy: actor.userId, createdByName: actor.name, createdAt: now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(
        trx,
        actor,
        { action: 'questionnaire.definition-saved', entityType: 'questionnaire_definition', entityId: row.id, campusId: input.campusId, before: before ? { version: before.version, content: before.content } : null, after: { version, content: parsed.data }, detail: { comment: input.comment } },
        now(),
      );
      return viewOf(row);
    });
  }

  async function examRow(ex: Executor, actor: Actor, examId: string) {
    const exam = await ex
      .selectFrom('exam')
      .innerJoin('patient', 'patient.id', 'exam.patientId')
      .innerJoin('campus', 'campus.id', 'exam.campusId')
      .select([
        'exam.id', 'exam.accessionNo', 'patient.name as patientName', 'patient.sex', 'patient.birthDate', 'exam.itemName', 'exam.testKind', 'exam.campusId', 'campus.name as campusName',
        'exam.status', 'exam.examDate', 'exam.heightCm', 'exam.weightKg',
      ])
      .where('exam.id', '=', examId)
      .executeTakeFirst();
    // another campus's exam is not shown to this user at all
    if (!exam || !actor.campusIds.includes(exam.campusId)) throw new NotFound('exam', examId);
    return exam;
  }

  /** The questionnaire page of one exam: the questions to fill in, the answers in force and the earlier ones. */
  async function forExam(actor: Actor, examId: string) {
    const exam = await examRow(db, actor, examId);
    const rows = await db
      .selectFrom('questionnaireAnswer')
      .innerJoin('questionnaireDefinition', 'questionnaireDefinition.id', 'questionnaireAnswer.definitionId')
      .selectAll('questionnaireAnswer')
      .select('questionnaireDefinition.version as definitionVersion')
      .where('examId', '=', examId)
      .orderBy('revision', 'desc')
      .execute();
    const latest = rows[0];
    const current = latest
      ? { ...answerSet(latest, latest.definitionVersion), definition: viewOf((await db.selectFrom('questionnaireDefinition').selectAll().where('id', '=', latest.definitionId).executeTakeFirstOrThrow())) }
      : null;
    await recordAuditAlone(db, actorRef(actor), { action: 'questionnaire.viewed', entityType: 'exam', entityId: examId, campusId: exam.campusId, detail: { revisions: rows.length } }, now());
    return {
      exam,
      definition: await definitionFor(db, exam.campusId),
      current,
      history: rows.map((r) => {
        const { answers: _answers, ...rest } = answerSet(r, r.definitionVersion);
        return rest;
      }),
    };
  }

  /**
   * Saves an exam's answers as its next revision, against the definition they were given with (the lab's or the
   * exam's campus's; null: the built-in). Answers that do not fit are refused with every problem named, and nothing
   * is stored; earlier revisions are never changed.
   */
  async function saveAnswers(actor: Actor, examId: string, input: { definitionId: string | null; answers: Answers }) {
    const exam = await examRow(db, actor, examId);
    if (exam.status === 'cancelled') throw new Conflict('questionnaire.exam-cancelled', '该检查已取消，不能填写问卷');
    let definitionRow: DefinitionRow | undefined;
    if (input.definitionId) {
      definitionRow = await db.selectFrom('questionnaireDefinition').selectAll().where('id', '=', input.definitionId).executeTakeFirst();
      if (!definitionRow || (definitionRow.campusId !== null && definitionRow.campusId !== exam.campusId)) {
        throw new AppError({ code: 'questionnaire.definition-mismatch', status: 400, title: '问卷版本不适用于该检查所在院区，请刷新页面后重新填写' });
      }
    }
    const content = definitionRow ? viewOf(definitionRow).content : BUILTIN_QUESTIONNAIRE;
    const at = now();
    const errors = validateAnswers(content, input.answers, exam.testKind, at);
    if (errors.length) throw new QuestionnaireInvalid(errors);
    const answers = applicableAnswers(content, input.answers, exam.testKind);
    const flags = flagsOf(content, answers, exam.testKind, at);
    const count = (kind: Flag['kind']) => flags.filter((f) => f.kind === kind).length;

    return db.transaction().execute(async (trx) => {
      const definition = definitionRow ?? (await installBuiltin(trx, actorRef(actor)));
      // one revision at a time per exam
      await trx.selectFrom('exam').select('id').where('id', '=', examId).forUpdate().execute();
      const previous = await trx.selectFrom('questionnaireAnswer').select(['revision', 'answers']).where('examId', '=', examId).orderBy('revision', 'desc').limit(1).executeTakeFirst();
      const revision = (previous?.revision ?? 0) + 1;
      await trx
        .insertInto('questionnaireAnswer')
        .values({
          examId, campusId: exam.campusId, revision, definitionId: definition.id, answers: JSON.stringify(answers), flags: JSON.stringify(flags),
          contraindications: count('contraindication'), warnings: count('warning'), answeredBy: actor.userId, answeredByName: actor.displayName, answeredAt: at,
        })
        .execute();
      await recordAudit(
        trx,
        actorRef(actor),
        {
          action: 'questionnaire.answered', entityType: 'exam', entityId: examId, campusId: exam.campusId,
          before: previous ? { revision: previous.revision, answers: previous.answers } : null,
          after: { revision, definitionVersion: definition.version, answers },
          detail: { contraindications: count('contraindication'), warnings: count('warning') },
        },
        at,
      );
      return { revision, definitionVersion: definition.version, flags };
    });
  }

  /** The flags of one day's exams (the answers in force), for the worklist. */
  async function flagsForDay(actor: Actor, q: { date?: string; campusId?: string }) {
    let query = db
      .selectFrom('questionnaireAnswer as qa')
      .innerJoin('exam', 'exam.id', 'qa.examId')
      .select(['qa.examId', 'qa.revision', 'qa.answeredAt', 'qa.contraindications', 'qa.warnings', 'qa.flags'])
      .where('exam.examDate', '=', q.date ?? hospitalDate(now()))
      .where('exam.campusId', 'in', actor.campusIds.length ? actor.campusIds : ['00000000-0000-0000-0000-000000000000'])
      .where((eb) => eb('qa.revision', '=', eb.selectFrom('questionnaireAnswer as later').select((e) => e.fn.max('later.revision').as('r')).whereRef('later.examId', '=', 'qa.examId')));
    if (q.campusId) query = query.where('exam.campusId', '=', q.campusId);
    const rows = await query.execute();
    return rows.map((r) => ({ examId: r.examId, revision: r.revision, answeredAt: r.answeredAt.toISOString(), contraindications: r.contraindications, warnings: r.warnings, flags: r.flags as Flag[] }));
  }

  return { scopes, history, saveDefinition, forExam, saveAnswers, flagsForDay, definitionFor: (campusId: string) => definitionFor(db, campusId) };
}
