/**
 * Layout templates for device reports (printed PDFs and OCR'd scans).
 *
 * A template is plain, JSON-serialisable data describing ONE vendor layout, so administrators can edit it and save
 * new versions. All text in a template (anchors, labels, headers) is matched case-, accent-, full-width- and
 * space-insensitively, and — unless `exact` is set — within one edit per six characters, so OCR noise is tolerated.
 *
 * ```jsonc
 * {
 *   "name": "jaeger-sentrysuite-en", "version": 1, "vendor": "Vyaire / Jaeger", "language": "en",
 *   "decimal": ".",                      // the report's decimal separator; never guessed per cell
 *   "dateFormat": "DD.MM.YYYY",          // default for date fields; a field may override it
 *   "anchors": [                         // text that identifies the layout (chooseTemplate scores by these)
 *     { "text": "SentrySuite", "weight": 2 }, { "text": "Pred LLN Pre" }
 *   ],
 *   "minScore": 0.6,                     // share of anchor weight needed for chooseTemplate to pick this template
 *   "fields": [                          // labelled fields: the value is the text to the right of the label on the
 *                                        // same line, up to the next label or a wide gap ("below": the line under it)
 *     { "field": "patientId", "labels": ["Patient ID:", "ID:"] },
 *     { "field": "birthDate", "labels": ["Birth Date:"], "dateFormat": "DD.MM.YYYY" },
 *     { "field": "sex", "labels": ["Gender:"], "values": { "Divers": null } }   // extra sex words; M/F/男/女… built in
 *   ],
 *   "tables": [{                          // one or more results tables, each found by its header row
 *     "columns": [                       // in printed order, left to right; a column that is not printed is skipped
 *       { "role": "param", "headers": ["Parameter"] },   // optional: labels are whatever lies left of the values
 *       { "role": "unit", "headers": ["Unit"] },         // optional: else units are read from the label area
 *       { "role": "predicted", "headers": ["Pred"] },
 *       { "role": "pre", "headers": ["Pre"] },
 *       { "role": "pctPred", "headers": ["%Pred"] },
 *       { "role": "ignore", "headers": [], "pattern": "^trial\\d+$", "repeat": true }
 *     ],
 *     "minColumns": 3,                   // header cells that must match for a line to count as the header row
 *     "after": ["Post"],                 // optional: the header lies below this text (e.g. a second, post table)
 *     "end": ["Interpretation"],         // optional: text that ends the table (also: a wide vertical gap)
 *     "rowFields": [                     // rows that carry metadata, not values (French SentrySuite:
 *       { "labels": ["Date test"], "field": "testDate", "column": "pre" },   //  "Date test   05.02.19" in the Pré
 *       { "labels": ["Heure test"], "field": "testTime", "column": "pre" }   //  column, "Heure test  08:44")
 *     ]
 *   }],
 *   "conclusion": { "start": ["Interpretation:", "结论"], "end": ["Technician:"], "maxLines": 12 },
 *   "testType": "spirometry"             // optional fixed test type; otherwise derived from what was measured
 * }
 * ```
 *
 * How a table is read: the header row fixes one x range per column (boundaries halfway between neighbouring header
 * centres; header cells that match no column become ignored columns, so stray columns never leak into their
 * neighbours). Rows are clusters of text by vertical position below the header; each word goes to the column its
 * centre falls in. Whatever lies left of the first value column is the row label; a trailing unit word (`L`, `L/s`,
 * `%`, `[L]`, `(mL)`) in it is the row's unit. Labels map to the clinical core's parameter names through the alias
 * table in params.ts (VEMS, CVF, 一秒量, 用力肺活量…). A row with a value in `pre` and one in `post` gives two
 * measurements; `post`, `postPctPred`, `postZ` and `changePct` belong to the post one; predicted, LLN and ULN to both.
 * A row without a predicted value, or with no % predicted for a ratio, is fine; a row with a label but no numbers
 * (a section title) is skipped.
 */
import type { DateFormat, DecimalSeparator } from './values.ts';

export type FieldName =
  | 'name' | 'lastName' | 'firstName' | 'patientId' | 'sex' | 'birthDate' | 'age' | 'heightCm' | 'weightKg'
  | 'accessionNo' | 'requestNo' | 'outpatientSerial' | 'inpatientSerial'
  | 'testDate' | 'testTime' | 'testDateTime' | 'operator' | 'device' | 'deviceSerial' | 'qualityGrade' | 'testType';

export interface FieldSpec {
  field: FieldName;
  /** Printed labels, any of which introduces the field (`Patient ID:`, `病历号`, `N° patient`). */
  labels: string[];
  /** Where the value sits relative to the label; default `right`. */
  position?: 'right' | 'below';
  /** Date fields: overrides the template's dateFormat. */
  dateFormat?: DateFormat;
  /** Sex field: extra words for M/F (or null for "neither") beyond the built-in English/French/German/Chinese ones. */
  values?: Record<string, 'M' | 'F' | null>;
  /** Match the labels exactly (no OCR tolerance): for short labels such as `ID:`. */
  exact?: boolean;
}

export type ColumnRole =
  | 'param' | 'unit'
  | 'predicted' | 'lln' | 'uln'
  | 'pre' | 'pctPred' | 'z'
  | 'post' | 'postPctPred' | 'postZ' | 'changePct' | 'change'
  | 'ignore';

export interface ColumnSpec {
  role: ColumnRole;
  /** Header texts (one is enough); may span a few words (`% Théo`, `Z-Score`, `实/预%`). */
  headers: string[];
  /** A regular expression (on the folded, space-free header text) instead of or besides `headers`. */
  pattern?: string;
  /** Match every header cell that fits, not just the first (trial columns). */
  repeat?: boolean;
}

export interface RowFieldSpec {
  /** Row labels, e.g. `Date test`. */
  labels: string[];
  field: Extract<FieldName, 'testDate' | 'testTime' | 'testDateTime' | 'qualityGrade' | 'operator'>;
  /** The column the value is printed in; default: the first column with text. */
  column?: ColumnRole;
}

export interface TableSpec {
  columns: ColumnSpec[];
  /** How many header cells must match; default min(3, columns with headers). */
  minColumns?: number;
  /** The header row lies below (or right of) one of these texts. */
  after?: string[];
  /** Text that ends the table. */
  end?: string[];
  rowFields?: RowFieldSpec[];
  /** Decimal separator for this table, when it differs from the template's. */
  decimal?: DecimalSeparator;
  /** The table may be absent (a post-bronchodilator table when no post test was done): no warning then. */
  optional?: boolean;
}

export interface ConclusionSpec {
  /** Text that opens the conclusion (`Interpretation:`, `结论：`, `Commentaire`); the rest of that line counts. */
  start: string[];
  /** Text that closes it; otherwise it runs for `maxLines` lines or to the end of the page. */
  end?: string[];
  maxLines?: number;
}

export interface AnchorSpec {
  text: string;
  /** Default 1. */
  weight?: number;
}

export interface DeviceReportTemplate {
  /** Stable machine name, e.g. `jaeger-sentrysuite-en`. */
  name: string;
  version: number;
  vendor: string;
  /** BCP 47 primary language of the printout: `en`, `zh`, `fr`… */
  language: string;
  /** A human description for the template editor. */
  description?: string;
  decimal: DecimalSeparator;
  dateFormat: DateFormat;
  anchors: AnchorSpec[];
  minScore?: number;
  fields: FieldSpec[];
  tables: TableSpec[];
  conclusion?: ConclusionSpec;
  testType?: string;
}
