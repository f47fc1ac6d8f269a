import type { FastifyInstance } from 'fastify';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import * as s from './questionnaire.schemas.js';
import type { QuestionnaireService } from './questionnaire.service.js';

export { createQuestionnaireService, definitionFor, questionnaireOfExam, type QuestionnaireService } from './questionnaire.service.js';
export { BUILTIN_QUESTIONNAIRE } from './definition.js';

/** 问卷调查: filling in the pre-test questionnaire of an exam, its flags on the worklist, and maintaining the questionnaire. */
export function questionnaireRoutes(app: FastifyInstance, questionnaires: QuestionnaireService) {
  const tags = ['questionnaire'];
  route(app, { method: 'GET', url: '/api/exams/:id/questionnaire', access: 'exam.read', summary: "An exam's questionnaire: the questions, the answers in force and earlier revisions", tags, params: IdParams, response: s.ExamQuestionnaire }, (req) =>
    questionnaires.forExam(actorOf(req), req.params.id),
  );
  route(
    app,
    { method: 'POST', url: '/api/exams/:id/questionnaire', access: 'questionnaire.fill', summary: "Save an exam's answers as a new revision (refused with every problem named when they do not fit)", tags, params: IdParams, body: s.SaveAnswersBody, response: s.Saved, status: 201 },
    (req) => questionnaires.saveAnswers(actorOf(req), req.params.id, req.body),
  );
  route(app, { method: 'GET', url: '/api/questionnaire/flags', access: 'exam.read', summary: "Contraindications and warnings of one day's exams, for the worklist", tags, query: s.FlagsQuery, response: s.ExamFlags }, (req) =>
    questionnaires.flagsForDay(actorOf(req), req.query),
  );
  route(app, { method: 'GET', url: '/api/questionnaire/definitions', access: 'questionnaire.manage', summary: 'The lab-wide questionnaire and each campus, with the version in use', tags, response: s.DefinitionScopes }, () => questionnaires.scopes());
  route(app, { method: 'GET', url: '/api/questionnaire/definitions/history', access: 'questionnaire.manage', summary: "One scope's questionnaire: in use, every saved version, and the built-in", tags, query: s.ScopeQuery, response: s.DefinitionHistory }, (req) =>
    questionnaires.history(req.query.campusId ?? null),
  );
  route(app, { method: 'POST', url: '/api/questionnaire/definitions', access: 'questionnaire.manage', summary: 'Save a questionnaire as the next version of its scope (refused when it does not parse)', tags, body: s.SaveDefinitionBody, response: s.DefinitionView, status: 201 }, (req) =>
    questionnaires.saveDefinition(actorRef(actorOf(req)), req.body),
  );
}
