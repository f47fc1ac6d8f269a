/**
 * ndd EasyOne Connect / Easy on-PC "PerformTest" command: the EMR-side request file that opens a test on the device
 * with the patient filled in. The shape copies ../shared/samples/ndd-easyone-xml/CypressIn.xml (CLSA/cypress) and
 * ../shared/docs/interfaces.md §5: `ndd Version="ndd.EasyWarePro.V1"`, UTF-8 without BOM, CRLF line ends,
 * four-space indentation, Height in metres.
 *
 * Decisions:
 * - TestType: spirometry, bronchodilator and provocation → FVC (both tests are repeated forced manoeuvres);
 *   dlco → DLCO; lung_volumes → FRC. Only the first item is sent: a PerformTest command carries one TestType.
 *   SVC and MVV have no worklist test; pass `testType` to ask for them.
 * - The whole Chinese name goes into LastName and FirstName stays empty, because family and given name cannot be
 *   told apart reliably (../worklist/chinese-name.ts); `nameSplit` changes that.
 * - IsBioCal, Asthma and COPD are written `false` and Smoker empty exactly as in the sample: the entry does not
 *   know them, and the sample suggests the booleans are not nullable on the device side (U).
 * - Sex 'unknown' leaves Gender empty so the device asks, rather than guessing one of its two values.
 */
import { type NameSplit, splitPersonName } from '../worklist/chinese-name.ts';
import { type Result, fail, ok } from '../worklist/result.ts';
import { type WorklistEntry, type WorklistTest, validateWorklistEntry } from '../worklist/worklist-entry.ts';

/** TestType values named in interfaces.md §5.1. */
export type NddTestType = 'FVC' | 'SVC' | 'MVV' | 'DLCO' | 'FRC';

export const NDD_TEST_TYPE_BY_TEST: Readonly<Record<WorklistTest, NddTestType>> = {
  spirometry: 'FVC',
  bronchodilator: 'FVC',
  provocation: 'FVC',
  dlco: 'DLCO',
  lung_volumes: 'FRC',
};

export interface NddPerformTestOptions {
  /** Overrides the TestType derived from the entry's first item. */
  testType?: NddTestType;
  nameSplit?: NameSplit;
}

const CRLF = '\r\n';
const INDENT = '    ';

export function nddPerformTestXml(entry: WorklistEntry, options: NddPerformTestOptions = {}): Result<string> {
  const problems = validateWorklistEntry(entry);
  if (problems.length > 0) return fail(`invalid worklist entry: ${problems.join('; ')}`);
  const testType = options.testType ?? NDD_TEST_TYPE_BY_TEST[entry.items[0]!.test];
  const name = splitPersonName(entry.name, options.nameSplit ?? 'whole-name-as-family');

  const lines: Array<[depth: number, markup: string]> = [
    [0, '<?xml version="1.0" encoding="UTF-8"?>'],
    [
      0,
      '<ndd xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
        'Version="ndd.EasyWarePro.V1">',
    ],
    [1, '<Command Type="PerformTest">'],
    [2, `<Parameter Name="OrderID">${escapeXml(entry.accessionNumber)}</Parameter>`],
    [2, `<Parameter Name="TestType">${testType}</Parameter>`],
    [1, '</Command>'],
    [1, '<Patients>'],
    [2, `<Patient ID="${escapeXml(entry.patientId)}">`],
    [3, elementOrEmptyTag('LastName', name.family)],
    [3, elementOrEmptyTag('FirstName', name.given)],
    [3, element('IsBioCal', 'false')],
    [3, '<PatientDataAtPresent>'],
    [4, element('Gender', entry.sex === 'male' ? 'Male' : entry.sex === 'female' ? 'Female' : '')],
    [4, element('DateOfBirth', entry.birthDate)],
    [4, element('ComputedDateOfBirth', 'false')],
    [4, element('Height', entry.heightCm === undefined ? '' : String(Math.round(entry.heightCm * 10) / 1000))],
    [4, element('Weight', entry.weightKg === undefined ? '' : String(Math.round(entry.weightKg * 10) / 10))],
    [4, element('Smoker', '')],
    [4, element('Asthma', 'false')],
    [4, element('COPD', 'false')],
    [3, '</PatientDataAtPresent>'],
    [2, '</Patient>'],
    [1, '</Patients>'],
    [0, '</ndd>'],
  ];
  return ok(lines.map(([depth, markup]) => `${INDENT.repeat(depth)}${markup}${CRLF}`).join(''));
}

/** The command file's bytes: UTF-8 without BOM, as the sample. */
export function writeNddPerformTest(entry: WorklistEntry, options: NddPerformTestOptions = {}): Result<Uint8Array> {
  const xml = nddPerformTestXml(entry, options);
  return xml.ok ? ok(new TextEncoder().encode(xml.value)) : xml;
}

function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** The sample writes empty names as `<LastName/>`. */
function elementOrEmptyTag(name: string, text: string): string {
  return text === '' ? `<${name}/>` : element(name, text);
}

/** Escapes for text and double-quoted attributes; drops C0 controls, which XML 1.0 does not allow. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/[\r\n\t]/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
