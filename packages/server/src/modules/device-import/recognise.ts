import { readGdtExamResult } from '@pftis/formats/gdt/result';
import { readOru } from '@pftis/formats/hl7/oru';
import { readNddEasyOneXml } from '@pftis/formats/ndd-easyone/reader';

/** A device result in one shape, whatever the device wrote. */
export interface DeviceResult {
  format: 'ndd_xml' | 'gdt' | 'hl7';
  /** Accession numbers the device echoed back (ndd OrderID, GDT 8413, HL7 filler number): the surest way to the exam. */
  accessionNo: string | null;
  /** The HIS order number (申请单号) where the message carries it (HL7 placer number). */
  requestNo?: string | null;
  /** The HIS patient id the device knows the patient by (ndd Patient ID, GDT 3000). */
  patientId: string | null;
  testType: string | null;
  measuredAt: string | null;
  qualityGrade: string | null;
  deviceSerial: string | null;
  measurements: Array<{ param: string | null; deviceParam: string; stage: 'pre' | 'post'; value: number | null; rawValue: string | null; unit: string | null; predicted: number | null; lln: number | null }>;
  /** Forced expirations with raw flow and volume samples, where the device sends them. */
  trials: DeviceTrial[];
}

export interface DeviceTrial {
  stage: 'pre' | 'post';
  number: number;
  accepted: boolean | null;
  sampleIntervalS: number;
  timeZeroOffsetS: number | null;
  flowLps: number[];
  volumeL: number[];
}

export type Recognised = { ok: true; value: DeviceResult } | { ok: false; reason: string; format: string };

// Device parameter names → the clinical core's names (ratios as fractions, flows in L/s).
const PARAMS: Record<string, string> = {
  FEV1: 'FEV1', FVC: 'FVC', FEV1_FVC: 'FEV1FVC', 'FEV1/FVC': 'FEV1FVC', FEV1FVC: 'FEV1FVC', PEF: 'PEF', FEF2575: 'FEF2575', 'FEF25-75': 'FEF2575', MMEF: 'FEF2575',
  FEF75: 'FEF75', FEV6: 'FEV6', FET: 'FET', BEV: 'BEV', VCmax: 'VC', VC: 'VC', TLC: 'TLC', RV: 'RV', FRC: 'FRC', TLCO: 'TLCO_SI', DLCO: 'DLCO_trad', KCO: 'KCO_SI', VA: 'VA',
};

const startsWith = (bytes: Uint8Array, ...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** What kind of file this is, from its first bytes. */
export function detectFormat(bytes: Uint8Array): 'ndd_xml' | 'gdt' | 'hl7' | 'pdf' | 'image' | 'unknown' {
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

/** Reads a device file into a DeviceResult, or says why not (English, for the log and the quarantine reason). */
export function recognise(bytes: Uint8Array, options: { gdtEncoding?: 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8' } = {}): Recognised {
  const format = detectFormat(bytes);
  if (format === 'ndd_xml') {
    const parsed = readNddEasyOneXml(bytes);
    if (!parsed.ok) return { ok: false, reason: `ndd XML: ${parsed.reason}`, format };
    const test = parsed.value.tests[0];
    if (!test) return { ok: false, reason: 'ndd XML: no test in the file', format };
    return {
      ok: true,
      value: {
        format,
        accessionNo: test.orderId,
        patientId: parsed.value.patient.id || null,
        testType: test.typeOfTest || null,
        measuredAt: test.testDate,
        qualityGrade: test.qualityGrade,
        deviceSerial: test.device.serialNumber,
        measurements: test.bestValues.map((p) => ({ param: PARAMS[p.id] ?? null, deviceParam: p.id, stage: 'pre', value: p.value, rawValue: p.value === null ? null : String(p.value), unit: p.unit || null, predicted: p.predicted, lln: p.lln })),
        trials: test.trials.flatMap((t, i): DeviceTrial[] =>
          t.flow && t.volume && t.flow.samples.length > 1 && t.flow.samples.length === t.volume.samples.length
            ? [{ stage: 'pre', number: t.number ?? i + 1, accepted: t.accepted, sampleIntervalS: t.flow.samplingIntervalS, timeZeroOffsetS: t.flow.timeZeroOffsetS, flowLps: t.flow.samples, volumeL: t.volume.samples }]
            : [],
        ),
      },
    };
  }
  if (format === 'gdt') {
    const parsed = readGdtExamResult(bytes, options.gdtEncoding ?? 'gbk');
    if (!parsed.ok) return { ok: false, reason: `GDT: ${parsed.reason}`, format };
    const r = parsed.value;
    return {
      ok: true,
      value: {
        format,
        accessionNo: r.requestId,
        patientId: r.patientId,
        testType: null,
        measuredAt: r.examDate,
        qualityGrade: null,
        deviceSerial: null,
        measurements: r.measurements.map((m) => ({ param: PARAMS[m.testId] ?? null, deviceParam: m.testId, stage: 'pre', value: m.value, rawValue: m.rawValue, unit: m.unit, predicted: null, lln: m.lowerLimit })),
        trials: [],
      },
    };
  }
  if (format === 'hl7') {
    const parsed = readOru(bytes);
    if (!parsed.ok) return { ok: false, reason: `HL7: ${parsed.reason}`, format };
    const r = parsed.value;
    return {
      ok: true,
      value: {
        format,
        accessionNo: r.fillerOrderNo,
        requestNo: r.placerOrderNo,
        patientId: r.patientId,
        testType: null,
        measuredAt: r.observations.find((o) => o.observedAt)?.observedAt ?? null,
        qualityGrade: null,
        deviceSerial: null,
        measurements: r.observations
          .filter((o) => o.kind !== 'text')
          .map((o) => ({ param: o.kind === 'measured' ? o.param : null, deviceParam: o.code, stage: o.stage, value: o.value, rawValue: o.rawValue, unit: o.unit || null, predicted: null, lln: null })),
        trials: [],
      },
    };
  }
  return { ok: false, reason: format === 'unknown' ? 'not a recognised device file' : `${format} files are not imported yet`, format };
}
