import type { DeviceReportTemplate } from '../template.ts';

/**
 * Jaeger / Vyaire SentrySuite-style spirometry report, English: patient block of "Label: value" pairs, one results
 * table `Parameter · Unit · Pred · LLN · Pre · %Pred · Z-Score · Post · %Pred · %Chg` with Jaeger parameter names
 * (`FEV 1`, `FEV 1 % FVC`, `MMEF 75/25`, `MEF 25`, `VC MAX`), FEV1/FVC in percent, an "Interpretation:" block.
 */
export const sentrySuiteEn: DeviceReportTemplate = {
  name: 'jaeger-sentrysuite-en',
  version: 1,
  vendor: 'Vyaire / Jaeger',
  language: 'en',
  description: 'SentrySuite-style spirometry with bronchodilation, English',
  decimal: '.',
  dateFormat: 'DD.MM.YYYY',
  anchors: [
    { text: 'SentrySuite', weight: 2 },
    { text: 'Study Date:' },
    { text: 'Z-Score' },
    { text: '%Chg' },
    { text: 'Interpretation:' },
  ],
  minScore: 0.6,
  fields: [
    { field: 'name', labels: ['Patient Name:'] },
    { field: 'patientId', labels: ['Patient ID:'] },
    { field: 'birthDate', labels: ['Birth Date:', 'Date of Birth:'] },
    { field: 'sex', labels: ['Gender:', 'Sex:'] },
    { field: 'age', labels: ['Age:'], exact: true },
    { field: 'heightCm', labels: ['Height:'] },
    { field: 'weightKg', labels: ['Weight:'] },
    { field: 'accessionNo', labels: ['Accession No.:', 'Accession:'] },
    { field: 'requestNo', labels: ['Order No.:'] },
    { field: 'outpatientSerial', labels: ['Outpatient No.:'] },
    { field: 'inpatientSerial', labels: ['Inpatient No.:'] },
    { field: 'testDate', labels: ['Study Date:'], dateFormat: 'DD.MM.YY' },
    { field: 'testTime', labels: ['Study Time:'] },
    { field: 'operator', labels: ['Technician:'] },
    { field: 'device', labels: ['Device:'] },
    { field: 'deviceSerial', labels: ['S/N:'], exact: true },
  ],
  tables: [
    {
      columns: [
        { role: 'param', headers: ['Parameter'] },
        { role: 'unit', headers: ['Unit'] },
        { role: 'predicted', headers: ['Pred'] },
        { role: 'lln', headers: ['LLN'] },
        { role: 'pre', headers: ['Pre'] },
        { role: 'pctPred', headers: ['%Pred', '%(Pre/Pred)'] },
        { role: 'z', headers: ['Z-Score', 'Z'] },
        { role: 'post', headers: ['Post'] },
        { role: 'postPctPred', headers: ['%Pred', '%(Post/Pred)'] },
        { role: 'changePct', headers: ['%Chg', '%(Post/Pre)'] },
      ],
      minColumns: 4,
      end: ['Interpretation:'],
    },
  ],
  conclusion: { start: ['Interpretation:'], end: ['Technician:', 'Device:'], maxLines: 10 },
};
