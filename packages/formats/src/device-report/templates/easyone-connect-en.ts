import type { DeviceReportTemplate } from '../template.ts';

/**
 * ndd EasyOne Connect-style FVC report, English (interfaces.md §8.1): patient block, a pre table
 * `Parameter · Best · LLN · Z-Score · %Pred · Pred · Trial n…` (trials in rank order), and when a bronchodilator was
 * given a post table `Parameter · Best · Z-Score · %Pred · Chg · %Chg · Trial n…`; units in brackets after the name
 * (`FVC [L]`), FEV1/FVC as a fraction, dates DD/MM/YYYY, a 24-hour clock with a stray AM/PM.
 */
export const easyOneConnectEn: DeviceReportTemplate = {
  name: 'ndd-easyone-connect-en',
  version: 1,
  vendor: 'ndd Medizintechnik',
  language: 'en',
  description: 'EasyOne Connect-style FVC report with optional post-bronchodilator table, English',
  decimal: '.',
  dateFormat: 'DD/MM/YYYY',
  anchors: [
    { text: 'EasyOne Connect', weight: 2 },
    { text: 'ndd Medical Technologies' },
    { text: 'Session Quality' },
    { text: 'Order ID:' },
  ],
  minScore: 0.6,
  fields: [
    { field: 'name', labels: ['Name:'] },
    { field: 'patientId', labels: ['ID:'], exact: true },
    { field: 'birthDate', labels: ['Date of Birth:'] },
    { field: 'age', labels: ['Age:'], exact: true },
    { field: 'sex', labels: ['Gender:'] },
    { field: 'heightCm', labels: ['Height:'] },
    { field: 'weightKg', labels: ['Weight:'] },
    { field: 'accessionNo', labels: ['Order ID:'] },
    { field: 'requestNo', labels: ['Request No.:'] },
    { field: 'outpatientSerial', labels: ['Outpatient No.:'] },
    { field: 'inpatientSerial', labels: ['Inpatient No.:'] },
    { field: 'testDateTime', labels: ['Test Date:'] },
    { field: 'operator', labels: ['Operator:'] },
    { field: 'device', labels: ['Device:'] },
    { field: 'deviceSerial', labels: ['Serial No.:'] },
    { field: 'qualityGrade', labels: ['Session Quality:'] },
  ],
  tables: [
    {
      columns: [
        { role: 'param', headers: ['Parameter'] },
        { role: 'pre', headers: ['Best'] },
        { role: 'lln', headers: ['LLN'] },
        { role: 'z', headers: ['Z-Score'] },
        { role: 'pctPred', headers: ['%Pred'] },
        { role: 'predicted', headers: ['Pred'] },
        { role: 'ignore', headers: [], pattern: '^trial\\d+$', repeat: true },
      ],
      minColumns: 5,
      end: ['Post-Bronchodilator', 'Interpretation'],
    },
    {
      after: ['Post-Bronchodilator'],
      optional: true,
      columns: [
        { role: 'param', headers: ['Parameter'] },
        { role: 'post', headers: ['Best'] },
        { role: 'postZ', headers: ['Z-Score'] },
        { role: 'postPctPred', headers: ['%Pred'] },
        { role: 'change', headers: ['Chg'] },
        { role: 'changePct', headers: ['%Chg'] },
        { role: 'ignore', headers: [], pattern: '^trial\\d+$', repeat: true },
      ],
      minColumns: 5,
      end: ['Interpretation'],
    },
  ],
  conclusion: { start: ['Interpretation'], end: ['Operator:', 'Signature'], maxLines: 8 },
};
