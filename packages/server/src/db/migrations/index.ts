import type { Migration } from 'kysely';
import * as foundation from './202611251200_foundation.js';
import * as hisViews from './202611251400_his_views.js';
import * as exams from './202611251500_exams.js';
import * as deviceImport from './202611251600_device_import.js';
import * as deviceResultFolder from './202611251700_device_result_folder.js';
import * as calibration from './202611251800_calibration.js';
import * as reports from './202611251900_reports.js';
import * as delivery from './202611252100_delivery.js';
import * as auditAppend from './202611252200_audit_append.js';
import * as sessionActor from './202611252210_session_actor.js';
import * as deviceExtraction from './202612070900_device_extraction.js';
import * as qualityControl from './202612071000_quality_control.js';
import * as deviceTemplate from './202612071100_device_template.js';
import * as reviewChain from './202612071200_review_chain.js';
import * as signingTrust from './202612071210_signing_trust.js';
import * as questionnaire from './202612071220_questionnaire.js';
import * as clinicalSettings from './202612071230_clinical_settings.js';
import * as sessionNotify from './202612071300_session_notify.js';
import * as examOrderNotify from './202612071400_exam_order_notify.js';
import * as hisViewNotify from './202612071410_his_view_notify.js';

/** Every migration, in the order it runs. Append only; never edit or reorder a released entry. */
export const migrations: Record<string, Migration> = {
  '202611251200_foundation': foundation,
  '202611251400_his_views': hisViews,
  '202611251500_exams': exams,
  '202611251600_device_import': deviceImport,
  '202611251700_device_result_folder': deviceResultFolder,
  '202611251800_calibration': calibration,
  '202611251900_reports': reports,
  '202611252100_delivery': delivery,
  '202611252200_audit_append': auditAppend,
  '202611252210_session_actor': sessionActor,
  '202612070900_device_extraction': deviceExtraction,
  '202612071000_quality_control': qualityControl,
  '202612071100_device_template': deviceTemplate,
  '202612071200_review_chain': reviewChain,
  '202612071210_signing_trust': signingTrust,
  '202612071220_questionnaire': questionnaire,
  '202612071230_clinical_settings': clinicalSettings,
  '202612071300_session_notify': sessionNotify,
  '202612071400_exam_order_notify': examOrderNotify,
  '202612071410_his_view_notify': hisViewNotify,
};
