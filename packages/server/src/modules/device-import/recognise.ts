import { type DeviceExtraction, emptyExtraction, type ExtractedMeasurement, measurement, type Stage } from '@pftis/formats/device-report/extraction';
import { readGdtExamResult } from '@pftis/formats/gdt/result';
import { readOru } from '@pftis/formats/hl7/oru';
import { readNddEasyOneXml } from '@pftis/formats/ndd-easyone/reader';
import type { ParseResult } from '@pftis/formats/result';

export type { DeviceExtraction } from '@pftis/formats/device-report/extraction';

export type FileFormat = 'ndd_xml' | 'gdt' | 'hl7' | 'pdf' | 'image' | 'unknown';
export type Recognised = { ok: true; value: DeviceExtraction } | { ok: false; reason: string; format: FileFormat };

/** Reads a printed or scanned report (layout templates, OCR); supplied by the caller because it needs I/O. */
export type DocumentReader = (bytes: Uint8Array, kind: 'pdf' | 'image', options: { template?: string }) => Promise<ParseResult<DeviceExtraction>>;

export interface RecogniseOptions {
  gdtEncoding?: 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';
  readDocument?: DocumentReader;
  /** Read a PDF or scan with this template only (by name), instead of the best-fitting one. */
  template?: string;
}

// Device parameter names → the clinical core's names (ratios as fractions, flows in L/s).
const PARAMS: Record<string, string> = {
  FEV1: 'FEV1', FVC: 'FVC', FEV1_FVC: 'FEV1FVC', 'FEV1/FVC': 'FEV1FVC', FEV1FVC: 'FEV1FVC', PEF: 'PEF', FEF2575: 'FEF2575', 'FEF25-75': 'FEF2575', MMEF: 'FEF2575',
  FEF75: 'FEF75', FEV6: 'FEV6', FET: 'FET', BEV: 'BEV', VCmax: 'VC', VC: 'VC', TLC: 'TLC', RV: 'RV', FRC: 'FRC', TLCO: 'TLCO_SI', DLCO: 'DLCO_trad', KCO: 'KCO_SI', VA: 'VA',
};

/** A device's own parameter id → our name and the stage, e.g. FEV1_POST → FEV1, post. */
function deviceParam(id: string): { param: string | null; stage: Stage } {
  const post = /[_.\s-]?POST$/i.test(id);
  const base = id.replace(/[_.\s-]?(POST|PRE)$/i, '');
  return { param: PARAMS[base] ?? PARAMS[base.toUpperCase()] ?? null, stage: post ? 'post' : 'pre' };
}

/** The kind of test from what the device calls it; a post-bronchodilator stage makes it a bronchodilator test. */
function testType(deviceType: string | null, measurements: ExtractedMeasurement[]): string | null {
  if (measurements.some((m) => m.stage === 'post')) return 'bronchodilator';
  if (!deviceType) return measurements.length ? 'spirometry' : null;
  if (/DLCO|TLCO|diffus/i.test(deviceType)) return 'dlco';
  if (/FRC|TLC|pleth|body|washout/i.test(deviceType)) return 'lung_volumes';
  if (/provoc|challenge|MCH|metha/i.test(deviceType)) return 'provocation';
  if (/FVC|SVC|MVV|spiro/i.test(deviceType)) return 'spirometry';
  return deviceType;
}

const PERCENT_OF_LOINC: Record<string, string> = { '20152-5': '20150-9', '19872-1': '19868-9' };

const startsWith = (bytes: Uint8Array, ...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** What kind of file this is, from its first bytes. */
export function detectFormat(bytes: Uint8Array): FileFormat {
  if (startsWith(bytes, 0x25, 0x50, 0x44, 0x46)) return 'pdf';
  if (startsWith(bytes, 0xff, 0xd8, 0xff) || startsWith(bytes, 0x89, 0x50, 0x4e, 0x47)) return 'image';
  const head = utf16OrLatin(bytes.subarray(0, 400));
  if (/<ndd[\s>]/.test(head)) return 'ndd_xml';
  if (/^\d{3}8000\d{4}/.test(head)) return 'gdt';
  if (/^\v?MSH\|/.test(head)) return 'hl7';
  return 'unknown';
}

function utf16OrLatin(bytes: Uint8Array): string {
  if (startsWith(bytes, 0xff, 0xfe)) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (startsWith(bytes, 0xfe, 0xff)) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('latin1').decode(bytes);
}

/** Reads a device file, or says why not (English, for the log and the quarantine reason). Never throws on bad input. */
export async function recognise(bytes: Uint8Array, options: RecogniseOptions = {}): Promise<Recognised> {
  const format = detectFormat(bytes);
  if (format === 'ndd_xml') return readNdd(bytes);
  if (format === 'gdt') return readGdt(bytes, options.gdtEncoding ?? 'gbk');
  if (format === 'hl7') return readHl7(bytes);
  if (format === 'pdf' || format === 'image') {
    if (!options.readDocument) return { ok: false, reason: `${format} files need a document reader`, format };
    const read = await options.readDocument(bytes, format, { template: options.template });
    return read.ok ? read : { ok: false, reason: read.reason, format };
  }
  return { ok: false, reason: 'not a recognised device file', format };
}

function readNdd(bytes: Uint8Array): Recognised {
  const parsed = readNddEasyOneXml(bytes);
  if (!parsed.ok) return { ok: false, reason: `ndd XML: ${parsed.reason}`, format: 'ndd_xml' };
  const { patient, tests } = parsed.value;
  if (!tests.length) return { ok: false, reason: 'ndd XML: no test in the file', format: 'ndd_xml' };
  const result = emptyExtraction('ndd_xml');
  const first = tests[0]!;
  const gender = patient.gender?.toLowerCase();
  result.vendor = 'ndd';
  result.patient = {
    name: [patient.lastName, patient.firstName].filter(Boolean).join('') || null,
    id: patient.id || null,
    sex: gender === 'male' ? 'M' : gender === 'female' ? 'F' : null,
    birthDate: patient.dateOfBirth,
    age: null,
    heightCm: patient.heightCm,
    weightKg: patient.weightKg,
  };
  result.identifiers.accessionNo = first.orderId;
  result.identifiers.patientId = patient.id || null;
  // A second test of the same kind in one file is the post-bronchodilator one (EasyOne writes pre, then post).
  const stageOf = (index: number): Stage => (index > 0 && /POST/i.test(tests[index]!.typeOfTest) ? 'post' : index > 0 && tests[index]!.typeOfTest === first.typeOfTest ? 'post' : 'pre');
  tests.forEach((test, index) => {
    const stage = stageOf(index);
    for (const p of test.bestValues) {
      const { param } = deviceParam(p.id);
      result.measurements.push(measurement({ param, deviceParam: p.id, stage, value: p.value, rawValue: p.value === null ? null : String(p.value), unit: p.unit || null, predicted: p.predicted, lln: p.lln }));
    }
    test.trials.forEach((t, i) => {
      if (t.flow && t.volume && t.flow.samples.length > 1 && t.flow.samples.length === t.volume.samples.length) {
        result.trials.push({ stage, number: t.number ?? i + 1, accepted: t.accepted, sampleIntervalS: t.flow.samplingIntervalS, timeZeroOffsetS: t.flow.timeZeroOffsetS, flowLps: t.flow.samples, volumeL: t.volume.samples });
      }
    });
  });
  result.test = { type: testType(first.typeOfTest, result.measurements), measuredAt: first.testDate, operator: null, device: first.device.deviceType, deviceSerial: first.device.serialNumber, qualityGrade: first.qualityGrade };
  return { ok: true, value: result };
}

function readGdt(bytes: Uint8Array, encoding: NonNullable<RecogniseOptions['gdtEncoding']>): Recognised {
  const parsed = readGdtExamResult(bytes, encoding);
  if (!parsed.ok) return { ok: false, reason: `GDT: ${parsed.reason}`, format: 'gdt' };
  const r = parsed.value;
  const result = emptyExtraction('gdt');
  result.patient = { name: r.patientName, id: r.patientId, sex: r.sex, birthDate: r.birthDate, age: null, heightCm: r.heightCm, weightKg: r.weightKg };
  result.identifiers.accessionNo = r.requestId;
  result.identifiers.patientId = r.patientId;
  result.measurements = r.measurements.map((m) => measurement({ ...deviceParam(m.testId), deviceParam: m.testId, value: m.value, rawValue: m.rawValue, unit: m.unit, lln: m.lowerLimit, uln: m.upperLimit }));
  result.test = { type: testType(null, result.measurements), measuredAt: r.examDate && r.examTime && /^\d{4,6}$/.test(r.examTime) ? `${r.examDate}T${r.examTime.slice(0, 2)}:${r.examTime.slice(2, 4)}:${r.examTime.slice(4, 6) || '00'}` : r.examDate, operator: null, device: null, deviceSerial: null, qualityGrade: null };
  result.conclusion = r.findings.join('\n') || null;
  result.warnings = r.problems;
  return { ok: true, value: result };
}

function readHl7(bytes: Uint8Array): Recognised {
  const parsed = readOru(bytes);
  if (!parsed.ok) return { ok: false, reason: `HL7: ${parsed.reason}`, format: 'hl7' };
  const r = parsed.value;
  const result = emptyExtraction('hl7');
  result.vendor = r.sendingApplication || null;
  result.patient = { ...result.patient, name: r.patientName, id: r.patientId, sex: r.patientSex, birthDate: r.patientBirthDate };
  const inpatient = r.patientClass === 'I';
  result.identifiers = { accessionNo: r.fillerOrderNo, requestNo: r.placerOrderNo, patientId: r.patientId, outpatientSerial: inpatient ? null : r.visitNumber, inpatientSerial: inpatient ? r.visitNumber : null };
  const measured = r.observations.filter((o) => o.kind === 'measured');
  result.measurements = measured.map((o) => measurement({ param: o.param, deviceParam: o.code, stage: o.stage, value: o.value, rawValue: o.rawValue, unit: o.unit || null }));
  // A device-computed % predicted belongs to the measured value of the same code (FVC_PRED → FVC) or its LOINC pair.
  for (const o of r.observations.filter((x) => x.kind === 'percent-predicted' && x.value !== null)) {
    const target = PERCENT_OF_LOINC[o.code] ?? o.code.replace(/_PRED/i, '');
    const index = measured.findIndex((m) => m.code === target && m.stage === o.stage);
    if (index >= 0) result.measurements[index]!.pctPred = o.value;
  }
  for (const o of r.observations.filter((x) => x.kind === 'change' && x.value !== null)) {
    const base = o.code.toUpperCase().replace(/_?(CHANGE|ZMIANA).*$/, '');
    const post = result.measurements.find((m) => m.stage === 'post' && m.deviceParam.toUpperCase().startsWith(base));
    if (post) post.changePct = o.value;
  }
  result.test = { type: testType(null, result.measurements), measuredAt: r.observations.find((o) => o.observedAt)?.observedAt ?? null, operator: null, device: r.sendingApplication || null, deviceSerial: null, qualityGrade: null };
  result.conclusion = r.interpretation;
  return { ok: true, value: result };
}
