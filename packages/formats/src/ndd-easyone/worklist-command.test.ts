import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleEntry } from '../worklist/worklist-entry.fixture.ts';
import { nddPerformTestXml, writeNddPerformTest } from './worklist-command.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../../../../shared/samples/ndd-easyone-xml/CypressIn.xml');

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Just enough XML for these flat command files: elements, attributes, text, the five predefined entities. */
function readXml(xml: string): XmlElement {
  const unescape = (s: string) =>
    s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  const token = /<\?[^>]*\?>|<\/([\w:]+)\s*>|<([\w:]+)((?:\s+[\w:]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  for (const match of xml.matchAll(token)) {
    const [whole, closing, opening, attributeText, selfClosing, text] = match;
    const current = stack.at(-1)!;
    if (whole.startsWith('<?')) continue;
    if (closing) {
      if (current.name !== closing) throw new Error(`</${closing}> closes <${current.name}>`);
      stack.pop();
    } else if (opening) {
      const attributes: Record<string, string> = {};
      for (const [, key, value] of (attributeText ?? '').matchAll(/([\w:]+)="([^"]*)"/g)) attributes[key!] = unescape(value!);
      const element: XmlElement = { name: opening, attributes, children: [], text: '' };
      current.children.push(element);
      if (!selfClosing) stack.push(element);
    } else if (text !== undefined && text.trim() !== '') {
      current.text += unescape(text);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  return root.children[0]!;
}

/** Element names, order and attribute names, without values: what must match the sample. */
function shape(element: XmlElement): unknown {
  return { name: element.name, attributes: Object.keys(element.attributes), children: element.children.map(shape) };
}

function find(element: XmlElement, ...names: string[]): XmlElement {
  let current = element;
  for (const name of names) current = current.children.find((child) => child.name === name)!;
  return current;
}

function written(): string {
  const result = nddPerformTestXml(sampleEntry());
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('nddPerformTestXml', () => {
  it('has the sample file structure element by element', () => {
    if (!existsSync(SAMPLE)) {
      console.warn(`skipped: sample not found at ${SAMPLE}`);
      return;
    }
    const sampleText = readFileSync(SAMPLE, 'utf8');
    const sample = readXml(sampleText);
    const ours = readXml(written());
    expect(shape(ours)).toEqual(shape(sample));
    expect(ours.attributes).toEqual(sample.attributes);
    expect(find(ours, 'Command').attributes).toEqual(find(sample, 'Command').attributes);
    expect(find(ours, 'Command').children.map((c) => c.attributes)).toEqual(
      find(sample, 'Command').children.map((c) => c.attributes),
    );
    expect(written().split('\r\n')[0]).toBe(sampleText.split('\r\n')[0]);
  });

  it('fills the values from the entry', () => {
    const ndd = readXml(written());
    const [orderId, testType] = find(ndd, 'Command').children;
    expect(orderId!.text).toBe('PF202503140007');
    expect(testType!.text).toBe('FVC');
    const patient = find(ndd, 'Patients', 'Patient');
    expect(patient.attributes).toEqual({ ID: 'P000123456' });
    expect(find(patient, 'LastName').text).toBe('张三丰');
    expect(find(patient, 'FirstName').text).toBe('');
    expect(find(patient, 'IsBioCal').text).toBe('false');
    const present = find(patient, 'PatientDataAtPresent');
    expect(Object.fromEntries(present.children.map((c) => [c.name, c.text]))).toEqual({
      Gender: 'Male',
      DateOfBirth: '1958-07-09',
      ComputedDateOfBirth: 'false',
      Height: '1.72',
      Weight: '68',
      Smoker: '',
      Asthma: 'false',
      COPD: 'false',
    });
  });

  it('writes UTF-8 without BOM, CRLF line ends and metres', () => {
    const result = writeNddPerformTest(sampleEntry({ heightCm: 180, weightKg: 72.46, sex: 'female' }));
    if (!result.ok) throw new Error(result.reason);
    const bytes = Buffer.from(result.value);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('<?xml');
    const text = bytes.toString('utf8');
    expect(text.endsWith('</ndd>\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(bytes.includes(Buffer.from('<LastName>张三丰</LastName>', 'utf8'))).toBe(true);
    expect(text).toContain('<Height>1.8</Height>');
    expect(text).toContain('<Weight>72.5</Weight>');
    expect(text).toContain('<Gender>Female</Gender>');
  });

  it('maps tests to TestType and escapes XML', () => {
    const testTypeOf = (test: 'dlco' | 'lung_volumes' | 'bronchodilator') => {
      const result = nddPerformTestXml(sampleEntry({ items: [{ code: 'X', name: 'X', test }] }));
      return result.ok ? find(readXml(result.value), 'Command').children[1]!.text : result.reason;
    };
    expect(testTypeOf('dlco')).toBe('DLCO');
    expect(testTypeOf('lung_volumes')).toBe('FRC');
    expect(testTypeOf('bronchodilator')).toBe('FVC');

    const tricky = nddPerformTestXml(sampleEntry({ patientId: 'A&"<1>', name: "O'Brien & <Sons>", sex: 'unknown' }), {
      testType: 'SVC',
    });
    if (!tricky.ok) throw new Error(tricky.reason);
    expect(tricky.value).toContain('<Patient ID="A&amp;&quot;&lt;1&gt;">');
    const patient = find(readXml(tricky.value), 'Patients', 'Patient');
    expect(patient.attributes.ID).toBe('A&"<1>');
    expect(find(patient, 'LastName').text).toBe("O'Brien & <Sons>");
    expect(find(patient, 'PatientDataAtPresent', 'Gender').text).toBe('');
    expect(find(readXml(tricky.value), 'Command').children[1]!.text).toBe('SVC');
  });

  it('splits the name on request and rejects an invalid entry', () => {
    const split = nddPerformTestXml(sampleEntry(), { nameSplit: 'split-chinese-surname' });
    expect(split.ok && split.value).toContain('<LastName>张</LastName>');
    expect(split.ok && split.value).toContain('<FirstName>三丰</FirstName>');
    expect(nddPerformTestXml(sampleEntry({ birthDate: '09.07.1958' })).ok).toBe(false);
  });
});
