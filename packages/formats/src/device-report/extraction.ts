/**
 * What PFTIS reads out of any device result — structured file, printed PDF or scanned page — in one shape.
 * Readers fill what their source carries and leave the rest null; they never throw on bad input.
 */

/** One run of text on a page, from a PDF's text layer or from OCR. Points (1/72 in), origin top-left of the page. */
export interface TextItem {
  page: number;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** OCR confidence 0–100; absent for a text layer. */
  confidence?: number;
}

export type Stage = 'pre' | 'post';

export interface ExtractedMeasurement {
  /** The clinical core's parameter name (FEV1, FVC, FEV1FVC, PEF, FEF2575, TLC, TLCO_SI…), null when unknown. */
  param: string | null;
  /** The name as the device wrote it (VEMS, 一秒量, FEV1/FVC %…). */
  deviceParam: string;
  stage: Stage;
  value: number | null;
  /** The value as written, kept for the record (decimal commas, "<0.1", …). */
  rawValue: string | null;
  unit: string | null;
  predicted: number | null;
  lln: number | null;
  uln: number | null;
  zscore: number | null;
  pctPred: number | null;
  /** Post-bronchodilator change in % of the pre value, where the device printed it. */
  changePct?: number | null;
}

export interface ExtractedTrial {
  stage: Stage;
  number: number;
  accepted: boolean | null;
  sampleIntervalS: number;
  timeZeroOffsetS: number | null;
  flowLps: number[];
  volumeL: number[];
}

export interface DeviceExtraction {
  format: 'ndd_xml' | 'gdt' | 'hl7' | 'pdf' | 'image';
  vendor: string | null;
  /** The layout template that read a PDF or scan (name and version), null for structured formats. */
  template: string | null;
  patient: {
    name: string | null;
    id: string | null;
    sex: 'M' | 'F' | null;
    birthDate: string | null;
    age: number | null;
    heightCm: number | null;
    weightKg: number | null;
  };
  identifiers: {
    /** Accession number PFTIS gave the exam and the device echoed back: the surest way to the exam. */
    accessionNo: string | null;
    /** 申请单号. */
    requestNo: string | null;
    /** 门诊流水号. */
    outpatientSerial: string | null;
    /** 住院流水号. */
    inpatientSerial: string | null;
    /** The HIS patient id the device knows the patient by. */
    patientId: string | null;
  };
  test: {
    /** spirometry | bronchodilator | dlco | lung_volumes | provocation, or the device's own word when unknown. */
    type: string | null;
    measuredAt: string | null;
    operator: string | null;
    device: string | null;
    deviceSerial: string | null;
    qualityGrade: string | null;
  };
  measurements: ExtractedMeasurement[];
  /** Forced expirations with raw flow and volume samples, where the device sends them. */
  trials: ExtractedTrial[];
  /** The device's own conclusion text, as printed. */
  conclusion: string | null;
  /** What was odd but did not stop the reading (English, for the log and the import record). */
  warnings: string[];
}

export const emptyExtraction = (format: DeviceExtraction['format']): DeviceExtraction => ({
  format,
  vendor: null,
  template: null,
  patient: { name: null, id: null, sex: null, birthDate: null, age: null, heightCm: null, weightKg: null },
  identifiers: { accessionNo: null, requestNo: null, outpatientSerial: null, inpatientSerial: null, patientId: null },
  test: { type: null, measuredAt: null, operator: null, device: null, deviceSerial: null, qualityGrade: null },
  measurements: [],
  trials: [],
  conclusion: null,
  warnings: [],
});

export const measurement = (m: Pick<ExtractedMeasurement, 'param' | 'deviceParam'> & Partial<ExtractedMeasurement>): ExtractedMeasurement => ({
  stage: 'pre',
  value: null,
  rawValue: null,
  unit: null,
  predicted: null,
  lln: null,
  uln: null,
  zscore: null,
  pctPred: null,
  ...m,
});
