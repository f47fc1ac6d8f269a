import type {
  ExamQuestionnaire, QuestionnaireAnswers, QuestionnaireAnswerValue, QuestionnaireCondition, QuestionnaireContent, QuestionnaireDefinition, QuestionnaireExamFlags, QuestionnaireFlag,
  QuestionnaireHistory, QuestionnaireQuestion, QuestionnaireSaved, QuestionnaireScope, WorkspaceQuestionnaire,
} from '@pftis/server/api-types';
import { apiRequest } from '../../api/client.ts';

export type {
  ExamQuestionnaire, QuestionnaireAnswers, QuestionnaireAnswerValue, QuestionnaireCondition, QuestionnaireContent, QuestionnaireDefinition, QuestionnaireExamFlags, QuestionnaireFlag,
  QuestionnaireHistory, QuestionnaireQuestion, QuestionnaireSaved, QuestionnaireScope, WorkspaceQuestionnaire,
};

export const questionnaireApi = {
  forExam: (examId: string) => apiRequest<ExamQuestionnaire>(`/api/exams/${examId}/questionnaire`),
  save: (examId: string, body: { definitionId: string | null; answers: QuestionnaireAnswers }) => apiRequest<QuestionnaireSaved>(`/api/exams/${examId}/questionnaire`, { method: 'POST', body }),
  flags: (filter: { date?: string; campusId?: string }) => apiRequest<QuestionnaireExamFlags[]>('/api/questionnaire/flags', { query: { ...filter } }),
  scopes: () => apiRequest<QuestionnaireScope[]>('/api/questionnaire/definitions'),
  history: (campusId: string | null) => apiRequest<QuestionnaireHistory>('/api/questionnaire/definitions/history', { query: { campusId: campusId ?? undefined } }),
  saveDefinition: (body: { campusId: string | null; content: unknown; comment: string }) => apiRequest<QuestionnaireDefinition>('/api/questionnaire/definitions', { method: 'POST', body }),
};
