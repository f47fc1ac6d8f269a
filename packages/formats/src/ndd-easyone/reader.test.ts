import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../xml/tiny-xml.ts';
import { readNddEasyOneXml } from './reader.ts';

const samplePath = path.resolve(import.meta.dirname, '../../../../../shared/samples/ndd-easyone-xml/CypressOut.xml');
const haveSample = existsSync(samplePath);
if (!haveSample) console.warn(`skipping ndd EasyOne sample tests: ${samplePath} is missing`);

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('tiny XML reader', () => {
  it('reads attributes, entities, CDATA, comments and self-closing tags', () => {
    const result = parseXml('<?xml version="1.0"?><!-- c --><a x="1 &amp; 2"><b/>t&lt;<![CDATA[<raw>]]></a>');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.attributes.x).toBe('1 & 2');
    expect(result.value.children[0]?.name).toBe('b');
    expect(result.value.text).toBe('t<<raw>');
  });

  it('reports malformed XML instead of throwing', () => {
    for (const bad of ['<a><b></a>', '<a>', '<a x=1/>', '<a>&bogus;</a>', 'text', '<a/><b/>', '']) {
      const result = parseXml(bad);
      expect(result.ok, bad).toBe(false);
    }
  });
});

describe('ndd EasyOne reader: bad input', () => {
  it('never throws', () => {
    expect(readNddEasyOneXml(new Uint8Array([0xff, 0xfe, 0x00, 0xd8])).ok).toBe(false);
    expect(readNddEasyOneXml(utf8('<other/>'))).toEqual({ ok: false, reason: 'root element is <other>, expected <ndd>' });
    expect(readNddEasyOneXml(utf8('<ndd><Patients/></ndd>')).ok).toBe(false);
    const badSamples = '<ndd><Patients><Patient ID="1"><Intervals><Interval><Tests><Test TypeOfTest="FVC"><Trials><Trial><ChannelFlow><SamplingInterval>0.01</SamplingInterval><SamplingValues>1 x</SamplingValues></ChannelFlow></Trial></Trials></Test></Tests></Interval></Intervals></Patient></Patients></ndd>';
    expect(readNddEasyOneXml(utf8(badSamples))).toMatchObject({ ok: false, reason: expect.stringMatching(/non-numeric/) });
  });
});

describe.skipIf(!haveSample)('ndd EasyOne reader: CypressOut.xml (UTF-16 LE, real device)', () => {
  it('reads the patient, the test, best values and three trials with raw curves', () => {
    const result = readNddEasyOneXml(new Uint8Array(readFileSync(samplePath)));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { patient, tests } = result.value;
    expect(patient).toMatchObject({ id: '12345678', heightCm: 180, gender: 'Male', ethnicity: 'Caucasian', dateOfBirth: '1994-09-25' });
    expect(tests).toHaveLength(1);
    const test = tests[0];
    expect(test?.typeOfTest).toBe('FVC');
    expect(test?.orderId).toBe('1');
    expect(test?.qualityGrade).toBe('A');
    expect(test?.device).toEqual({ serialNumber: '204348', deviceType: 'SPIROSON_AS' });
    const fvc = test?.bestValues.find((p) => p.id === 'FVC');
    expect(fvc).toEqual({ id: 'FVC', value: 4.9744887948036194, unit: 'L', predicted: 5.6674998733215034, lln: 4.7124998946674168 });
    expect(test?.bestValues.find((p) => p.id === 'FEF50')?.predicted).toBeNull(); // NaN in the file
    expect(test?.trials).toHaveLength(3);
    for (const trial of test?.trials ?? []) {
      expect(trial.flow?.samplingIntervalS).toBe(0.01);
      expect(trial.flow?.samples.length).toBe(trial.volume?.samples.length);
      expect(trial.flow?.samples.length).toBeGreaterThan(1000);
      expect(trial.values.find((p) => p.id === 'FEV1')?.value).toBeGreaterThan(3);
    }
    expect(test?.trials[0]?.flow?.timeZeroOffsetS).toBeCloseTo(-12.811649933457375, 12);
  });
});
