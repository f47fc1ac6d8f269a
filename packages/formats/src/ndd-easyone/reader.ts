/**
 * ndd EasyOne Connect / EasyWare "TestResult" XML (ndd.EasyWarePro.V1), as in the CLSA/cypress sample
 * CypressOut.xml. Just enough for now: patient block, tests with trials (device values and raw flow/volume samples)
 * and BestValues with the device's predicted/LLN. Known traps (../shared/samples/SOURCES.md): UTF-16 LE with BOM,
 * height in metres, NaN for "no reference", ratios 0–1, times without a time zone, float32 printed with 17 digits.
 */
import type { ParseResult } from '../result.ts';
import { decodeXmlBytes } from '../xml/text-decoding.ts';
import { child, childrenNamed, childText, parseXml, type XmlElement } from '../xml/tiny-xml.ts';

export interface NddResultParameter {
  id: string;
  value: number | null;
  unit: string;
  /** The device's predicted value and LLN; null where the device wrote NaN. The reference set is not named. */
  predicted: number | null;
  lln: number | null;
}

export interface NddChannel {
  samplingIntervalS: number;
  samples: number[];
  /** Seconds from time zero to the first sample (negative: recording starts before time zero). */
  timeZeroOffsetS: number | null;
}

export interface NddTrial {
  number: number | null;
  date: string | null;
  rank: number | null;
  accepted: boolean | null;
  values: NddResultParameter[];
  flow: NddChannel | null;
  volume: NddChannel | null;
}

export interface NddTest {
  /** The Interval's OrderID: what PFTIS sent as OrderID in the PerformTest command (its accession number). */
  orderId: string | null;
  typeOfTest: string;
  testDate: string | null;
  bestValues: NddResultParameter[];
  qualityGrade: string | null;
  qualityGradeOriginal: string | null;
  trials: NddTrial[];
  device: { serialNumber: string | null; deviceType: string | null };
  softwareVersion: string | null;
}

export interface NddPatient {
  id: string;
  lastName: string | null;
  firstName: string | null;
  heightCm: number | null;
  weightKg: number | null;
  ethnicity: string | null;
  gender: string | null;
  dateOfBirth: string | null;
}

export interface NddTestResult {
  commandType: string | null;
  patient: NddPatient;
  tests: NddTest[];
}

const toNumber = (text: string | null): number | null => {
  if (text === null || text === '' || text === 'NaN') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
};

const toBoolean = (text: string | null): boolean | null =>
  text === 'true' || text === 'Yes' ? true : text === 'false' || text === 'No' ? false : null;

function readParameters(container: XmlElement | undefined): NddResultParameter[] {
  return childrenNamed(container, 'ResultParameter').map((p) => ({
    id: p.attributes.ID ?? '',
    value: toNumber(childText(p, 'DataValue')),
    unit: childText(p, 'Unit') ?? '',
    predicted: toNumber(childText(p, 'PredictedValue')),
    lln: toNumber(childText(p, 'LLNormalValue')),
  }));
}

function readChannel(element: XmlElement | undefined): ParseResult<NddChannel | null> {
  if (!element) return { ok: true, value: null };
  const interval = toNumber(childText(element, 'SamplingInterval'));
  if (interval === null || !(interval > 0)) return { ok: false, reason: `${element.name}: missing or invalid SamplingInterval` };
  const raw = childText(element, 'SamplingValues') ?? '';
  const samples = raw === '' ? [] : raw.split(/\s+/).map(Number);
  if (samples.some((v) => !Number.isFinite(v))) return { ok: false, reason: `${element.name}: non-numeric sample` };
  return { ok: true, value: { samplingIntervalS: interval, samples, timeZeroOffsetS: toNumber(childText(element, 'TimeZeroOffset')) } };
}

export function readNddEasyOneXml(bytes: Uint8Array): ParseResult<NddTestResult> {
  const text = decodeXmlBytes(bytes);
  if (text === null) return { ok: false, reason: 'not valid UTF-8 or UTF-16 text' };
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const root = parsed.value;
  if (root.name !== 'ndd') return { ok: false, reason: `root element is <${root.name}>, expected <ndd>` };
  const patientElement = child(child(root, 'Patients'), 'Patient');
  if (!patientElement) return { ok: false, reason: 'no Patients/Patient element' };
  const present = child(patientElement, 'PatientDataAtPresent');
  const heightM = toNumber(childText(present, 'Height'));
  const patient: NddPatient = {
    id: patientElement.attributes.ID ?? '',
    lastName: childText(patientElement, 'LastName') || null,
    firstName: childText(patientElement, 'FirstName') || null,
    heightCm: heightM === null ? null : Math.round(heightM * 100 * 1000) / 1000, // metres in the file
    weightKg: toNumber(childText(present, 'Weight')),
    ethnicity: childText(present, 'Ethnicity'),
    gender: childText(present, 'Gender'),
    dateOfBirth: childText(present, 'DateOfBirth'),
  };
  const tests: NddTest[] = [];
  for (const interval of childrenNamed(child(patientElement, 'Intervals'), 'Interval')) {
    for (const testElement of childrenNamed(child(interval, 'Tests'), 'Test')) {
      const trials: NddTrial[] = [];
      for (const trialElement of childrenNamed(child(testElement, 'Trials'), 'Trial')) {
        const flow = readChannel(child(trialElement, 'ChannelFlow'));
        if (!flow.ok) return flow;
        const volume = readChannel(child(trialElement, 'ChannelVolume'));
        if (!volume.ok) return volume;
        trials.push({
          number: toNumber(childText(trialElement, 'Number')),
          date: childText(trialElement, 'Date'),
          rank: toNumber(childText(trialElement, 'Rank')),
          accepted: toBoolean(childText(trialElement, 'Accepted')),
          values: readParameters(child(trialElement, 'ResultParameters')),
          flow: flow.value,
          volume: volume.value,
        });
      }
      const device = child(testElement, 'Device');
      tests.push({
        orderId: childText(interval, 'OrderID'),
        typeOfTest: testElement.attributes.TypeOfTest ?? '',
        testDate: childText(testElement, 'TestDate'),
        bestValues: readParameters(child(testElement, 'BestValues')),
        qualityGrade: childText(testElement, 'QualityGrade'),
        qualityGradeOriginal: childText(testElement, 'QualityGradeOriginal'),
        trials,
        device: { serialNumber: childText(device, 'SerialNumber'), deviceType: childText(device, 'DeviceType') },
        softwareVersion: childText(testElement, 'SWVersion'),
      });
    }
  }
  return { ok: true, value: { commandType: child(root, 'Command')?.attributes.Type ?? null, patient, tests } };
}
