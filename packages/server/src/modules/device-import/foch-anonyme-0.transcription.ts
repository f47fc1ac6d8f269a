/**
 * Our own transcription of the results table of ../shared/samples/report-images/foch-efr/anonyme_0.png
 * (Hôpital Foch "Service EFR" report, Jaeger SentrySuite-style French layout; the scan is MIT-licensed from
 * drci-foch/OCR_EFR). Read by eye from the scan at 1.5× zoom, row by row, as printed: parameter names and units
 * exactly as the device wrote them (e.g. "VEMS%CF", not "VEMS%CVF"), numbers with their printed decimals.
 * Empty cells are null (the date and time rows carry only a Pré value; VIMS has no predicted value).
 * The OCR test compares what the scan reading extracts against this, cell by cell.
 */
export interface TranscribedRow {
  param: string;
  unit: string | null;
  theo: string | null;
  pre: string | null;
  pctTheo: string | null;
}

export const FOCH_ANONYME_0_TABLE: {
  columns: readonly ['Théo', 'Pré', '% Théo'];
  rows: readonly TranscribedRow[];
} = {
  columns: ['Théo', 'Pré', '% Théo'],
  rows: [
    { param: 'Date test', unit: null, theo: null, pre: '05.02.19', pctTheo: null },
    { param: 'Heure test', unit: null, theo: null, pre: '08:44', pctTheo: null },
    { param: 'CI', unit: 'L', theo: '2.28', pre: '2.27', pctTheo: '99' },
    { param: 'VRE', unit: 'L', theo: '1.15', pre: '1.59', pctTheo: '139' },
    { param: 'CV', unit: 'L', theo: '3.43', pre: '3.86', pctTheo: '113' },
    { param: 'DPE', unit: 'L/s', theo: '6.75', pre: '6.21', pctTheo: '92' },
    { param: 'CVF', unit: 'L', theo: '3.37', pre: '3.86', pctTheo: '115' },
    { param: 'VEMS', unit: 'L', theo: '2.91', pre: '2.52', pctTheo: '86' },
    { param: 'VEMS%CF', unit: '%', theo: '82.07', pre: '65.26', pctTheo: '80' },
    { param: 'VEMS%CV', unit: '%', theo: '82.07', pre: '65.26', pctTheo: '80' },
    { param: 'DEMM', unit: 'L/s', theo: '3.70', pre: '1.39', pctTheo: '38' },
    { param: 'DEM75', unit: 'L/s', theo: '5.92', pre: '3.91', pctTheo: '66' },
    { param: 'DEM50', unit: 'L/s', theo: '4.23', pre: '1.83', pctTheo: '43' },
    { param: 'DEM25', unit: 'L/s', theo: '1.90', pre: '0.55', pctTheo: '29' },
    { param: 'VIMS', unit: 'L', theo: null, pre: '3.65', pctTheo: null },
  ],
};
