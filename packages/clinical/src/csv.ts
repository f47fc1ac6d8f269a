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

function ethnicityCell(equation: EquationId, text: string | undefined, errors: string[]): Ethnicity | null {
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
    const ethnicity = EQUATION_IDS.includes(equation) ? ethnicityCell(equation, record.ethnicity, errors) : null;
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
      message: result.reasons.join('; '),
    };
  });
  return formatCsv(outputHeader, output);
}

/** Result columns of `pftis interpret`: prefix → the interpretation's result key. */
const INTERPRET_RESULT_COLUMNS: Array<[string, ResultKey]> = [
  ['fev1', 'FEV1'], ['fvc', 'FVC'], ['fev1fvc', 'FEV1FVC'], ['post_fev1', 'post_FEV1'], ['post_fvc', 'post_FVC'],
  ['post_fev1fvc', 'post_FEV1FVC'], ['tlc', 'TLC'], ['rv', 'RV'], ['frc', 'FRC'], ['rvtlc', 'RVTLC'],
  ['dlco_si', 'TLCO_SI'], ['va', 'VA'], ['kco_si', 'KCO_SI'],
];

const INTERPRET_OUTPUT = [
  ...INTERPRET_RESULT_COLUMNS.flatMap(([prefix]) => [`${prefix}_z`, `${prefix}_pct_pred`]),
  'pattern', 'severity', 'bdr', 'gas_transfer', 'narrative_zh', 'narrative_en', 'equations', 'message',
];

const SPIROMETRY_EQUATIONS: EquationId[] = ['gli2022', 'gli2012', 'jian2017', 'nhanes3'];

/**
 * `pftis interpret`: columns sex, age, height_cm, ethnicity (optional), spirometry_equation (default: the lab's),
 * fev1, fvc, and optionally post_fev1, post_fvc, tlc, rv, frc, dlco_si (mmol/min/kPa), va, hb (g/dL).
 * gas_transfer vocabulary: see GasTransferCategory in interpretation/gas-transfer.ts.
 */
export function interpretCsv(inputCsvText: string, options: { lab?: LabSettings } = {}): string {
  const lab = options.lab ?? DEFAULT_LAB_SETTINGS;
  const { header, records } = parseCsvRecords(inputCsvText);
  requireColumns(header, ['sex', 'age', 'height_cm', 'fev1', 'fvc']);
  const outputHeader = [...header, ...INTERPRET_OUTPUT.filter((name) => !header.includes(name))];
  const output = records.map((record) => {
    const errors: string[] = [];
    const sex = sexCell(record, errors);
    const ageYears = numberCell(record, 'age', errors, true);
    const heightCm = numberCell(record, 'height_cm', errors, true);
    const fev1 = numberCell(record, 'fev1', errors, true);
    const fvc = numberCell(record, 'fvc', errors, true);
    const optional = Object.fromEntries(
      ['post_fev1', 'post_fvc', 'tlc', 'rv', 'frc', 'dlco_si', 'va', 'hb'].map((column) => [column, numberCell(record, column, errors)]),
    );
    const equationText = (record.spirometry_equation ?? '').trim().toLowerCase();
    let spirometryEquation: EquationId | null = null;
    if (equationText !== '') {
      if (SPIROMETRY_EQUATIONS.includes(equationText as EquationId)) spirometryEquation = equationText as EquationId;
      else errors.push(`spirometry_equation "${equationText}" is not one of ${SPIROMETRY_EQUATIONS.join(', ')}`);
    }
    const effectiveEquation = spirometryEquation ?? lab.reference.defaults.spirometry.equation;
    const ethnicityText = (record.ethnicity ?? '').trim();
    const ethnicity =
      ethnicityText !== '' || effectiveEquation === 'gli2012' || effectiveEquation === 'nhanes3'
        ? (effectiveEquation === 'gli2012' || effectiveEquation === 'nhanes3' ? ethnicityCell(effectiveEquation, ethnicityText, errors) : null)
        : null;
    if (fev1 !== null && fvc !== null && !(fev1 > 0 && fvc > 0)) errors.push('fev1 and fvc must be positive');
    if (errors.length > 0 || sex === null || ageYears === null || heightCm === null || fev1 === null || fvc === null) {
      return { ...record, message: errors.join('; ') };
    }
    const result = interpretExam(
      {
        subject: { sex, ageYears, heightCm, ethnicity },
        spirometryEquation: spirometryEquation ? { equation: spirometryEquation } : null,
        fev1, fvc,
        postFev1: optional.post_fev1, postFvc: optional.post_fvc, tlc: optional.tlc, rv: optional.rv, frc: optional.frc,
        dlcoSi: optional.dlco_si, va: optional.va, hbGdl: optional.hb,
      },
      lab,
    );
    const row: Record<string, string> = { ...record };
    for (const [prefix, key] of INTERPRET_RESULT_COLUMNS) {
      row[`${prefix}_z`] = formatNumber(result.results[key]?.zScore);
      row[`${prefix}_pct_pred`] = formatNumber(result.results[key]?.pctPred);
    }
    row.pattern = result.pattern ?? '';
    row.severity = result.pattern === null ? '' : result.severity;
    row.bdr = result.bdr?.result ?? '';
    row.gas_transfer = result.gasTransfer?.category ?? '';
    row.narrative_zh = result.narrative.zh;
    row.narrative_en = result.narrative.en;
    row.equations = result.equationChoices.map((c) => `${c.group}=${c.equation}${c.ethnicity ? `(${c.ethnicity})` : ''}`).join(' ');
    const refusals = Object.values(result.results).filter((r) => r && r.status !== 'ok').map((r) => `${r?.param}: ${r?.reasons.join(', ')}`);
    row.message = refusals.join('; ');
    return row;
  });
  return formatCsv(outputHeader, output);
}
