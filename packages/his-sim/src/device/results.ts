import iconv from 'iconv-lite';
import { type Random, seededRandom } from '../random.js';
import { drawPattern, forcedExpiration, roughPredicted, type SimulatedPerson, simulatedValues } from './physiology.js';

export interface SimulatedExam extends SimulatedPerson {
  accessionNo: string | null;
  patientId: string;
  bronchodilator: boolean;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function trials(exam: SimulatedExam, r: Random, scale = 1) {
  const pattern = drawPattern(r);
  const base = simulatedValues(exam, pattern, r);
  // Three blows, repeatable within about 100 mL, as a coached patient manages.
  return Array.from({ length: 3 }, (_, i) => {
    const f = 1 - i * 0.015 - r.next() * 0.01;
    const fvcL = base.fvcL * scale * f;
    const fev1L = base.fev1L * scale * (scale > 1 ? 1.05 : 1) * f;
    return { number: i + 1, fvcL, fev1L, curve: forcedExpiration(fvcL, fev1L, r) };
  });
}

const param = (id: string, value: number, unit: string, predicted: number | null, lln: number | null) =>
  `<ResultParameter ID="${id}"><DataValue>${value}</DataValue><Unit>${unit}</Unit><PredictedValue>${predicted ?? 'NaN'}</PredictedValue><LLNormalValue>${lln ?? 'NaN'}</LLNormalValue></ResultParameter>`;

/** An ndd EasyOne "TestResult" file for a PerformTest command: UTF-16 LE with BOM, trials with raw curves. */
export function nddTestResult(exam: SimulatedExam, at: Date, seed: number): Uint8Array {
  const r = seededRandom(seed);
  const predicted = roughPredicted(exam);
  const blows = trials(exam, r);
  const best = blows[0]!;
  const pef = Math.max(...best.curve.flowLps);
  const trialXml = blows
    .map(
      (t) => `<Trial><Number>${t.number}</Number><Rank>${t.number}</Rank><Accepted>Yes</Accepted><ResultParameters>${param('FVC', round(t.fvcL), 'L', null, null)}${param('FEV1', round(t.fev1L), 'L', null, null)}</ResultParameters>
<ChannelFlow><SamplingInterval>${t.curve.intervalS}</SamplingInterval><SamplingValues>${t.curve.flowLps.join(' ')}</SamplingValues><TimeZeroOffset>-0.5</TimeZeroOffset></ChannelFlow>
<ChannelVolume><SamplingInterval>${t.curve.intervalS}</SamplingInterval><SamplingValues>${t.curve.volumeL.join(' ')}</SamplingValues><TimeZeroOffset>-0.5</TimeZeroOffset></ChannelVolume></Trial>`,
    )
    .join('\r\n');
  const xml = `<?xml version="1.0" encoding="utf-16"?>\r
<ndd Version="ndd.EasyWarePro.V1"><Command Type="TestResult"><Parameter Name="Attachment">C:\\ProgramData\\ndd\\Easy on-PC\\${exam.patientId}.pdf</Parameter></Command>\r
<Patients><Patient ID="${exam.patientId}"><PatientDataAtPresent><Gender>${exam.sex === 'male' ? 'Male' : 'Female'}</Gender><Height>${exam.heightCm / 100}</Height></PatientDataAtPresent>\r
<Intervals><Interval><OrderID>${exam.accessionNo ?? ''}</OrderID><Tests><Test TypeOfTest="FVC"><TestDate>${at.toISOString().slice(0, 23)}</TestDate>\r
<BestValues>${param('FVC', round(best.fvcL), 'L', round(predicted.fvcL), round(predicted.fvcL * 0.8))}${param('FEV1', round(best.fev1L), 'L', round(predicted.fev1L), round(predicted.fev1L * 0.8))}${param('FEV1_FVC', round(best.fev1L / best.fvcL), '', round(predicted.fev1L / predicted.fvcL), 0.7)}${param('PEF', round(pef), 'L/s', null, null)}</BestValues>\r
<QualityGrade>A</QualityGrade><Trials>${trialXml}</Trials><Device><SerialNumber>SIM-0001</SerialNumber><DeviceType>EasyOne Pro (simulated)</DeviceType></Device></Test></Tests></Interval></Intervals></Patient></Patients></ndd>\r\n`;
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
}

/** A GDT 6310 result for a 6302 request, with decimal commas as German and Chinese device software write them. */
export function gdtExamResult(exam: SimulatedExam, at: Date, seed: number, encoding = 'gbk'): Uint8Array {
  const r = seededRandom(seed);
  const best = trials(exam, r)[0]!;
  const predicted = roughPredicted(exam);
  const comma = (x: number) => round(x, 2).toFixed(2).replace('.', ',');
  const shifted = new Date(at.getTime() + 8 * 3_600_000);
  const day = `${String(shifted.getUTCDate()).padStart(2, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${shifted.getUTCFullYear()}`;
  const fields: Array<[string, string]> = [
    ['8000', '6310'],
    ['8100', '00000'],
    ['3000', exam.patientId],
    ...(exam.accessionNo ? ([['8413', exam.accessionNo]] as Array<[string, string]>) : []),
    ['6200', day],
    ['8410', 'FVC'], ['8420', comma(best.fvcL)], ['8421', 'L'], ['8461', comma(predicted.fvcL * 0.8)],
    ['8410', 'FEV1'], ['8420', comma(best.fev1L)], ['8421', 'L'], ['8461', comma(predicted.fev1L * 0.8)],
    ['8410', 'FEV1/FVC'], ['8420', comma(best.fev1L / best.fvcL)],
  ];
  const line = ([field, content]: [string, string]) => `${String(3 + 4 + iconv.encode(content, encoding).length + 2).padStart(3, '0')}${field}${content}\r\n`;
  const total = fields.reduce((n, f) => n + iconv.encode(line(f), encoding).length, 0);
  fields[1] = ['8100', String(total).padStart(5, '0')];
  return new Uint8Array(iconv.encode(fields.map(line).join(''), encoding));
}
