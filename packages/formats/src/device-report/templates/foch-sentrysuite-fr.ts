/**
 * French Jaeger / Vyaire SentrySuite print layout as used by the Hôpital Foch "Service EFR" (the scans in
 * ../shared/samples/report-images/foch-efr/, MIT-licensed from drci-foch/OCR_EFR), read from OCR words.
 *
 * The results table:
 *
 *   ```
 *                          Théo      Pré     % Théo
 *   Date test                      05.02.19
 *   Heure test                       08:44
 *   CI               L     2.28      2.27       99
 *   VEMS%CF          %    82.07     65.26       80
 *   VIMS             L               3.65
 *   ```
 *
 * Units sit in the label area (right-aligned, no header); the test date (DD.MM.YY) and time are rows of the table
 * with their value in the Pré column; ratio rows carry a % predicted of the ratio; VIMS (FIV1) has no predicted
 * value. Some printouts add an `LIN` (lower limit) column before `Théo` (the EHR view in easily.png); it is read
 * when present. The comment block starts at "Commentaire". The patient block is blacked out on every public sample,
 * so its labels are not known and no patient fields are declared.
 */
import type { DeviceReportTemplate } from '../template.ts';

export const fochSentrySuiteFr: DeviceReportTemplate = {
  name: 'foch-sentrysuite-fr',
  version: 1,
  vendor: 'Vyaire / Jaeger (SentrySuite)',
  language: 'fr',
  description: 'SentrySuite French report (Hôpital Foch EFR): table Théo / Pré / % Théo with the test date and time as its first rows.',
  decimal: '.',
  dateFormat: 'DD.MM.YY',
  anchors: [
    { text: 'Théo Pré % Théo', weight: 3 },
    { text: 'Date test', weight: 2 },
    { text: 'Heure test', weight: 2 },
    { text: 'VEMS' },
    { text: 'Commentaire' },
    { text: 'Service EFR' },
  ],
  minScore: 0.6,
  fields: [],
  tables: [
    {
      columns: [
        { role: 'lln', headers: ['LIN'] },
        { role: 'predicted', headers: ['Théo', 'Théo.'] },
        { role: 'pre', headers: ['Pré'] },
        { role: 'pctPred', headers: ['% Théo', '%Théo', '% Théo.'] },
      ],
      minColumns: 3,
      end: ['Commentaire'],
      rowFields: [
        { labels: ['Date test'], field: 'testDate', column: 'pre' },
        { labels: ['Heure test'], field: 'testTime', column: 'pre' },
      ],
    },
  ],
  conclusion: { start: ['Commentaire'], maxLines: 8 },
};
