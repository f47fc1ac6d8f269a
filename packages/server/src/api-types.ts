// The shapes of the HTTP API, derived from the zod schemas the server validates and serialises with, so the web
// app cannot drift from them. Type-only: importing this bundles nothing of the server.
import type { z } from 'zod';
import type * as auth from './modules/auth/auth.schemas.js';
import type { DeliveryService } from './modules/delivery/delivery.service.js';
import type * as delivery from './modules/delivery/targets.js';
import type * as deviceImport from './modules/device-import/device-import.schemas.js';
import type * as devices from './modules/devices/devices.schemas.js';
import type * as calibration from './modules/devices/calibration.schemas.js';
import type * as exams from './modules/exams/exams.schemas.js';
import type * as org from './modules/org/org.schemas.js';
import type * as reports from './modules/reports/reports.service.js';
import type * as reportRoutes from './modules/reports/module.js';
import type * as questionnaire from './modules/questionnaire/questionnaire.schemas.js';
import type * as labSettings from './modules/lab-settings/lab-settings.schemas.js';
import type * as review from './modules/review/review.schemas.js';
import type * as reviewPolicy from './modules/review/review.service.js';

export type CampusView = z.output<typeof org.CampusView>;
export type DepartmentView = z.output<typeof org.DepartmentView>;
export type CampusInput = z.input<typeof org.CampusBody>;
export type DepartmentInput = z.input<typeof org.DepartmentBody>;
export type DepartmentKind = DepartmentView['kind'];

export type DeviceView = z.output<typeof devices.DeviceView>;
export type DeviceInput = z.input<typeof devices.DeviceBody>;
export type DeviceChanges = z.input<typeof devices.DevicePatch>;

export type UserView = z.output<typeof auth.UserView>;
export type NewUser = z.input<typeof auth.CreateUserBody>;
export type UserChanges = z.input<typeof auth.UpdateUserBody>;
export type RoleView = z.output<typeof auth.RoleView>;
export type RoleInput = z.input<typeof auth.CreateRoleBody>;
export type PermissionInfo = z.output<typeof auth.PermissionList>[number];

export type ScanResult = z.output<typeof exams.ScanReply>;
export type ScannedPatient = ScanResult['patient'];
export type PendingOrder = ScanResult['orders'][number];
export type RegisteredExam = z.output<typeof exams.RegisterReply>['exams'][number];
export type ManualRegistration = z.input<typeof exams.ManualRegisterBody>;
export type WorklistExam = z.output<typeof exams.WorklistReply>[number];

export type ReceivedFile = z.output<typeof deviceImport.Received>;
export type ImportStatus = ReceivedFile['status'];
export type ImportedFile = z.output<typeof deviceImport.FileList>[number];
export type Measurement = z.output<typeof deviceImport.Measurements>[number];
export type ImportCandidates = z.output<typeof deviceImport.Candidates>;
export type ImportCandidate = ImportCandidates['candidates'][number];
export type DeviceResultSet = z.output<typeof deviceImport.DeviceResults>[number];

export type ReportWorkspace = z.output<typeof review.Workspace>;
export type WorkspaceExam = ReportWorkspace['exam'];
export type WorkspaceVersion = NonNullable<ReportWorkspace['version']>;
export type ReportVersionStatus = WorkspaceVersion['status'];
export type ReportContent = WorkspaceVersion['content'];
export type ReportRow = ReportContent['rows'][number];
export type ReportCurve = ReportWorkspace['curves'][number];
export type ReviewStep = ReportWorkspace['steps'][number];
export type PreviousExam = ReportWorkspace['previous'][number];
export type ReviewChainLevel = z.output<typeof review.ChainLevel>;
export type ReviewAllowed = NonNullable<ReportWorkspace['allowed']>;
export type ConclusionInput = z.input<typeof review.ConclusionBody>;
export type ReportPattern = NonNullable<ConclusionInput['pattern']>;
export type ReportSeverity = NonNullable<ConclusionInput['severity']>;
export type ReportCreated = z.output<typeof review.Created>;
export type ApproveReply = z.output<typeof review.Approved>;
export type ReviewQueue = z.output<typeof review.Queue>;
export type ReviewQueueItem = ReviewQueue['items'][number];
export type ReviewQueueLevel = ReviewQueue['levels'][number];
export type Verification = z.output<typeof review.Verification>;
export type SignatureStatus = z.output<typeof review.SignatureStatus>;
export type SignatureIssue = z.input<typeof review.IssueBody>;
export type SignatureImport = z.input<typeof review.ImportBody>;
export type SigningTrustList = z.output<typeof review.TrustList>;
export type SigningTrustEntry = z.output<typeof review.TrustEntry>;
export type SigningAlgorithm = NonNullable<SignatureStatus['algorithm']>;

export type ReportLayout = z.output<typeof reports.ReportLayoutSchema>;
export type ReportSection = ReportLayout['sections'][number];
export type ReportColumn = ReportLayout['columns'][number];
export type ReviewPolicy = z.output<typeof reviewPolicy.ReviewPolicySchema>;
export type ReviewPolicyLevel = ReviewPolicy['levels'][number];
export type ReviewLevelCondition = NonNullable<ReviewPolicyLevel['when']>;
export type ApprovePermission = ReviewPolicyLevel['permission'];

// 判读设置 (modules/lab-settings).
export type LabSettings = z.output<typeof labSettings.LabSettingsBody>;
export type LabSettingsInput = z.input<typeof labSettings.LabSettingsBody>;
export type LabSettingsOptions = z.output<typeof labSettings.OptionsReply>;
export type LabSettingsPreview = z.output<typeof labSettings.PreviewReply>;

export type DeliveryTargetInput = z.input<typeof delivery.TargetBody>;
export type DeliveryKind = DeliveryTargetInput['kind'];
export type DeliveryDocument = NonNullable<DeliveryTargetInput['document']>;
export type SqlTargetConfig = z.output<typeof delivery.SqlTargetConfig>;
export type HttpTargetConfig = z.output<typeof delivery.HttpTargetConfig>;
export type Hl7TargetConfig = z.output<typeof delivery.Hl7TargetConfig>;
export type FhirTargetConfig = z.output<typeof delivery.FhirTargetConfig>;
export type FileTargetConfig = z.output<typeof delivery.FileTargetConfig>;
// The delivery routes' response schemas (modules/delivery/module.ts) are module-private and looser (kind: string,
// status: string); their handlers return exactly these service results, so the replies are typed from those.
type DeliveryReply<K extends keyof DeliveryService> = Awaited<ReturnType<DeliveryService[K]>>;
/** A delivery target as listed; `config` is the stored configuration of its kind, the secret never comes back (hasSecret). */
export type DeliveryTargetView = DeliveryReply<'listTargets'>[number];
export type DeliveryOverview = DeliveryReply<'overview'>;
export type DeliveryTargetStatus = DeliveryOverview['targets'][number];
export type DeliveryJob = DeliveryReply<'jobs'>[number];
export type DeliveryJobStatus = DeliveryJob['status'];
export type DeliveryAttempt = DeliveryReply<'attempts'>[number];
export type DeliveryResendReply = DeliveryReply<'resend'>;

/** One 常用语: personal, of a campus (院区) or department-wide. */
export type ReportPhrase = z.output<typeof reportRoutes.Phrase>;
export type PhraseScope = ReportPhrase['scope'];

// 问卷调查 (pre-test questionnaire).
export type QuestionnaireContent = z.output<typeof questionnaire.QuestionnaireContent>;
export type QuestionnaireQuestion = QuestionnaireContent['questions'][number];
export type QuestionnaireCondition = NonNullable<QuestionnaireQuestion['showIf']>;
export type QuestionnaireAnswerValue = z.output<typeof questionnaire.AnswerValue>;
export type QuestionnaireAnswers = z.output<typeof questionnaire.Answers>;
export type QuestionnaireFlag = z.output<typeof questionnaire.Flag>;
export type QuestionnaireDefinition = z.output<typeof questionnaire.DefinitionView>;
export type ExamQuestionnaire = z.output<typeof questionnaire.ExamQuestionnaire>;
export type QuestionnaireSaved = z.output<typeof questionnaire.Saved>;
export type QuestionnaireScope = z.output<typeof questionnaire.DefinitionScopes>[number];
export type QuestionnaireHistory = z.output<typeof questionnaire.DefinitionHistory>;
export type QuestionnaireExamFlags = z.output<typeof questionnaire.ExamFlags>[number];
export type WorkspaceQuestionnaire = z.output<typeof questionnaire.WorkspaceQuestionnaire>;

// 质控 (calibration records, module 3).
export type CalibrationCheck = z.output<typeof calibration.CheckView>;
export type CalibrationInput = z.input<typeof calibration.CheckBody>;
export type CalibrationRecorded = z.output<typeof calibration.Recorded>;
export type CalibrationDocument = z.output<typeof calibration.DocumentView>;
export type CalibrationAction = z.output<typeof calibration.ActionView>;
export type QcDaily = z.output<typeof calibration.Daily>;
export type QcDay = QcDaily['days'][number];
export type QcOverviewRow = z.output<typeof calibration.OverviewRow>;
export type QcPolicy = z.output<typeof calibration.QcPolicySchema>;
export type QcDeviceToday = z.output<typeof calibration.DeviceToday>;
export type CalibrationLogImport = z.output<typeof calibration.LogImportResult>;
export type CalibrationLogMapping = z.output<typeof calibration.LogMappingSchema>;
