/**
 * Batch evaluation, CSV text in and CSV text out (wired as `pftis ref` and `pftis interpret` by the server CLI).
 * A bad row gets an English message in its `message` column and the other rows still compute; only a missing
 * required column throws.
 */
import { formatCsv, parseCsvRecords } from './csv-text.ts';
import { DEFAULT_LAB_SETTINGS, interpretExam, type LabSettings, type ResultKey } from './interpretation/interpret.ts';
import { evaluate, type OutOfRangePolicy } from './reference.ts';
import { EQUATION_IDS, PARAM_IDS, type EquationId, type Ethnicity, type ParamId } from './types.ts';

const NHANES3_ETHNICITIES = ['caucasian', 'african_american', 'mexican_american'];

function requireColumns(header: string[], required: string[]): void {
  const missing = required.filter((name) => !header.includes(name));
  if (missing.length > 0) throw new Error(`missing required column(s): ${missing.join(', ')}`);
}

const formatNumber = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? '' : String(value));

/** Parses a number cell; '' → null; anything else non-numeric → an error message. */
function numberCell(record: Record<string, string>, column: string, errors: string[], required = false): number | null {
  const text = (record[column] ?? '').trim();
  if (text === '') {
    if (required) errors.push(`${column} is required`);
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    errors.push(`${column} "${text}" is not a number`);
    return null;
  }
  return value;
}

function sexCell(record: Record<string, string>, errors: string[]): 'male' | 'female' | null {
  const sex = (record.sex ?? '').trim().toLowerCase();
  if (sex === 'male' || sex === 'female') return sex;
  errors.push(`sex "${record.sex ?? ''}" must be male or female`);
  return null;
}

/** Notes for a row that still computes (e.g. an ethnicity the equation does not use). */
function ethnicityCell(equation: EquationId, text: string | undefined, errors: string[], notes: string[] = []): Ethnicity | null {
  const value = (text ?? '').trim().toLowerCase();
  if (equation === 'gli2012') {
    if (/^[1-5]$/.test(value)) return Number(value) as Ethnicity;
    errors.push(`ethnicity "${text ?? ''}" must be 1-5 for gli2012`);
    return null;
  }
  if (equation === 'nhanes3') {
    if (NHANES3_ETHNICITIES.includes(value)) return value as Ethnicity;
    errors.push(`ethnicity "${text ?? ''}" must be caucasian, african_american or mexican_american for nhanes3`);
    return null;
  }
  if (value !== '') notes.push(`ethnicity "${(text ?? '').trim()}" ignored: ${equation} takes no ethnic group`);
  return null;
}

const REF_OUTPUT = ['L', 'M', 'S', 'predicted', 'lln', 'uln', 'zscore', 'pct_pred', 'status', 'message'];

/**
 * `pftis ref`: columns equation, param, sex, age (decimal years), height_cm, ethnicity, measured (optional).
 * FEV1FVC is a ratio (0–1); RVTLC in %.
 */
export function refCsv(inputCsvText: string, options: { outOfRange?: OutOfRangePolicy } = {}): string {
  const { header, records } = parseCsvRecords(inputCsvText);
  requireColumns(header, ['equation', 'param', 'sex', 'age', 'height_cm']);
  const outputHeader = [...header, ...REF_OUTPUT.filter((name) => !header.includes(name))];
  const output = records.map((record) => {
    const errors: string[] = [];
    const equation = (record.equation ?? '').trim().toLowerCase() as EquationId;
    if (!EQUATION_IDS.includes(equation)) errors.push(`equation "${record.equation ?? ''}" is not one of ${EQUATION_IDS.join(', ')}`);
    const param = (record.param ?? '').trim() as ParamId;
    if (!PARAM_IDS.includes(param)) errors.push(`param "${record.param ?? ''}" is not known`);
    const sex = sexCell(record, errors);
    const ageYears = numberCell(record, 'age', errors, true);
    const heightCm = numberCell(record, 'height_cm', errors, true);
    const measured = numberCell(record, 'measured', errors);
    const notes: string[] = [];
    const ethnicity = EQUATION_IDS.includes(equation) ? ethnicityCell(equation, record.ethnicity, errors, notes) : null;
    if ((param === 'FEV1FVC' || param === 'FEV1FEV6') && measured !== null && measured > 1) {
      errors.push(`measured ${param} ${measured} is above 1: it must be a ratio between 0 and 1${measured > 1.5 ? ' (a percentage? divide by 100)' : ''}`);
    }
    const row: Record<string, string> = { ...record };
    if (errors.length > 0 || sex === null || ageYears === null || heightCm === null) {
      return { ...row, status: 'refused', message: errors.join('; ') };
    }
    const result = evaluate(equation, param, { sex, ageYears, heightCm, ethnicity }, measured, options);
    return {
      ...row,
      L: formatNumber(result.l), M: formatNumber(result.m), S: formatNumber(result.s),
      predicted: formatNumber(result.predicted), lln: formatNumber(result.lln), uln: formatNumber(result.uln),
      zscore: formatNumber(result.zScore), pct_pred: formatNumber(result.pctPred),
      status: result.status,
      message: [...result.reasons, ...notes].join('; '),
    };
  });
  return formatCsv(outputHeader, output);
}

/** Result columns of `pftis interpret`: prefix → the interpretation's result key. */
const INTERPRET_RESULT_COLUMNS: Array<[string, ResultKey]> = [
  ['fev1', 'FEV1'], ['fvc', 'FVC'], ['fev1fvc', 'FEV1FVC'], ['post_fev1', 'post_FEV1'], ['post_fvc', 'post_FVC'],
  ['post_fev1fvc', 'post_FEV1FVC'], ['tlc', 'TLC'], ['rv', 'RV'], ['frc', 'FRC'], ['rvtlc', 'RVTLC'],
  ['dlco_si', 'TLCO_SI'], ['va', 'VA'], ['kco_si', 'KCO_SI'], ['mmef', 'FEF2575'], ['fef75', 'FEF75'],
];

/** Output columns of `pftis interpret`, in order, after the input columns (pinned by csv.test.ts). */
export const INTERPRET_OUTPUT_COLUMNS: readonly string[] = [
  ...INTERPRET_RESULT_COLUMNS.flatMap(([prefix]) => [`${prefix}_z`, `${prefix}_pct_pred`]),
  'dlco_si_hb_corrected',
  'pattern', 'severity', 'bdr', 'gas_transfer', 'small_airway_dysfunction', 'narrative_zh', 'narrative_en', 'scheme', 'equations', 'status', 'message',
];

/** Output columns of `pftis ref`, after the input columns. */
export const REF_OUTPUT_COLUMNS: readonly string[] = REF_OUTPUT;

const INTERPRET_OPTIONAL_NUMBERS = [
  'post_fev1', 'post_fvc', 'tlc', 'rv', 'frc', 'dlco_si', 'va', 'hb',
  'mmef', 'fef75', 'mmef_pct_pred_device', 'fef50_pct_pred_device', 'fef75_pct_pred_device',
] as const;

const SPIROMETRY_EQUATIONS: EquationId[] = ['gli2022', 'gli2012', 'jian2017', 'nhanes3'];

/**
 * `pftis interpret`: columns sex, age, height_cm, ethnicity (optional), spirometry_equation (default: the lab's),
 * patient_group (optional: a patient group id of the lab settings), fev1, fvc, and optionally post_fev1, post_fvc, tlc, rv, frc, dlco_si (mmol/min/kPa), va, hb (g/dL), mmef and fef75
 * (L/s), and mmef_pct_pred_device, fef50_pct_pred_device, fef75_pct_pred_device (% predicted printed by the device,
 * used for the small-airway rule where our equation has no value). Output columns: INTERPRET_OUTPUT_COLUMNS.
 * gas_transfer vocabulary: GasTransferCategory in interpretation/gas-transfer.ts.
 */
export function interpretCsv(inputCsvText: string, options: { lab?: LabSettings } = {}): string {
  const lab = options.lab ?? DEFAULT_LAB_SETTINGS;
  const { header, records } = parseCsvRecords(inputCsvText);
  requireColumns(header, ['sex', 'age', 'height_cm', 'fev1', 'fvc']);
  const outputHeader = [...header, ...INTERPRET_OUTPUT_COLUMNS.filter((name) => !header.includes(name))];
  const output = records.map((record) => {
    const errors: string[] = [];
    const notes: string[] = [];
    const sex = sexCell(record, errors);
    const ageYears = numberCell(record, 'age', errors, true);
    const heightCm = numberCell(record, 'height_cm', errors, true);
    const fev1 = numberCell(record, 'fev1', errors, true);
    const fvc = numberCell(record, 'fvc', errors, true);
    const optional = Object.fromEntries(INTERPRET_OPTIONAL_NUMBERS.map((column) => [column, numberCell(record, column, errors)])) as Record<(typeof INTERPRET_OPTIONAL_NUMBERS)[number], number | null>;
    const equationText = (record.spirometry_equation ?? '').trim().toLowerCase();
    let spirometryEquation: EquationId | null = null;
    if (equationText !== '') {
      if (SPIROMETRY_EQUATIONS.includes(equationText as EquationId)) spirometryEquation = equationText as EquationId;
      else errors.push(`spirometry_equation "${equationText}" is not one of ${SPIROMETRY_EQUATIONS.join(', ')}`);
    }
    const groupId = (record.patient_group ?? '').trim();
    const patientGroup = groupId === '' ? undefined : lab.reference.patientGroups.find((g) => g.id === groupId);
    if (groupId !== '' && !patientGroup) {
      errors.push(`patient_group "${groupId}" is not in the lab settings (known: ${lab.reference.patientGroups.map((g) => g.id).join(', ') || 'none'})`);
    }
    const labChoice = patientGroup?.choices.spirometry ?? lab.reference.defaults.spirometry;
    const effectiveEquation = spirometryEquation ?? labChoice.equation;
    // A lab choice with a fixed ethnic group (e.g. GLI-2012 North East Asian) needs none in the row.
    const labFixedEthnicity = spirometryEquation === null && labChoice.ethnicity !== undefined;
    const ethnicity = labFixedEthnicity && (record.ethnicity ?? '').trim() === '' ? null : ethnicityCell(effectiveEquation, record.ethnicity, errors, notes);
    if (fev1 !== null && fvc !== null) {
      if (!(fev1 > 0 && fvc > 0)) errors.push('fev1 and fvc must be positive');
      else if (fev1 > fvc) errors.push(`fev1 ${fev1} is larger than fvc ${fvc}: FEV1/FVC would be above 1`);
    }
    if (optional.post_fev1 !== null && optional.post_fvc !== null && optional.post_fev1 > optional.post_fvc) {
      errors.push(`post_fev1 ${optional.post_fev1} is larger than post_fvc ${optional.post_fvc}: FEV1/FVC would be above 1`);
    }
    if (errors.length > 0 || sex === null || ageYears === null || heightCm === null || fev1 === null || fvc === null) {
      return { ...record, status: 'refused', message: errors.join('; ') };
    }
    const result = interpretExam(
      {
        subject: { sex, ageYears, heightCm, ethnicity },
        patientGroupId: patientGroup?.id ?? null,
        spirometryEquation: spirometryEquation ? { equation: spirometryEquation } : null,
        fev1, fvc,
        postFev1: optional.post_fev1, postFvc: optional.post_fvc, tlc: optional.tlc, rv: optional.rv, frc: optional.frc,
        dlcoSi: optional.dlco_si, va: optional.va, hbGdl: optional.hb,
        mmef: optional.mmef, fef75: optional.fef75,
        mmefPctPred: optional.mmef_pct_pred_device, fef50PctPred: optional.fef50_pct_pred_device, fef75PctPred: optional.fef75_pct_pred_device,
      },
      lab,
    );
    const row: Record<string, string> = { ...record };
    for (const [prefix, key] of INTERPRET_RESULT_COLUMNS) {
      row[`${prefix}_z`] = formatNumber(result.results[key]?.zScore);
      row[`${prefix}_pct_pred`] = formatNumber(result.results[key]?.pctPred);
    }
    row.dlco_si_hb_corrected = formatNumber(result.hbCorrection?.tlcoCorrected);
    row.pattern = result.pattern ?? '';
    row.severity = result.pattern === null ? '' : result.severity;
    row.bdr = result.bdr?.result ?? '';
    row.gas_transfer = result.gasTransfer?.category ?? '';
    row.small_airway_dysfunction = result.smallAirwayDysfunction === null ? '' : result.smallAirwayDysfunction ? 'yes' : 'no';
    row.narrative_zh = result.narrative.zh;
    row.narrative_en = result.narrative.en;
    row.scheme = result.scheme;
    row.equations = result.equationChoices.map((c) => `${c.group}=${c.equation}${c.ethnicity ? `(${c.ethnicity})` : ''}`).join(' ');
    row.status = result.pattern === null ? 'not_determined' : 'ok';
    const messages: string[] = [];
    for (const [key, r] of Object.entries(result.results)) if (r && r.reasons.length > 0) messages.push(`${key}: ${r.reasons.join(', ')}`);
    if (result.undetermined) {
      const u = result.undetermined;
      messages.push(`${result.pattern === null ? 'pattern' : 'part of the pattern'} not determinable: ${u.param} has no lower limit of normal, so ${u.conclusions.join(', ')} cannot be confirmed or excluded`);
    }
    const ungraded = result.findings.find((f) => f.code === 'severity_not_gradable');
    if (ungraded) messages.push(`severity not graded: ${String(ungraded.values.param)} has no z-score (${String(ungraded.values.reason)}); the china2014 scheme grades by % predicted`);
    if (result.hbCorrection) messages.push(`dlco_si_z, dlco_si_pct_pred and kco_si_* use the Hb-corrected DLCO (factor ${result.hbCorrection.factor.toFixed(4)})`);
    row.message = [...messages, ...notes].join('; ');
    return row;
  });
  return formatCsv(outputHeader, output);
}
