import { escapeHl7 } from '@pftis/formats/hl7/escape';
import { encodeHl7Message, type Hl7Charset, MSH18_BY_CHARSET } from '@pftis/formats/hl7/orm';
import { DEFAULT_HOSPITAL_TIME_ZONE, localDateTimeParts } from '@pftis/formats/worklist/local-time';
import iconv from 'iconv-lite';
import { type Random, seededRandom } from '../random.js';
import { bronchodilatorResponse, drawPattern, forcedExpiration, roughPredicted, type SimulatedPattern, type SimulatedPerson, simulatedValues } from './physiology.js';
import type { PrintoutInput, PrintoutRow } from './printouts/index.js';

export interface SimulatedExam extends SimulatedPerson {
  accessionNo: string | null;
  patientId: string;
  /** The order asks for a bronchodilator test (支气管舒张试验): a post-test follows the baseline. */
  bronchodilator: boolean;
  /** 申请单号, where the worklist entry carried it (HL7 placer number). */
  requestNo?: string | null;
  name?: string | null;
  /** YYYY-MM-DD. */
  birthDate?: string | null;
  weightKg?: number | null;
  /** The HIS item as the order named it (HL7 OBR-4, GDT 8402), echoed back in the result. */
  item?: { code: string; name: string } | null;
}

export type Stage = 'pre' | 'post';

export interface SimulatedBlow {
  stage: Stage;
  number: number;
  fvcL: number;
  fev1L: number;
  pefLps: number;
  curve: { flowLps: number[]; volumeL: number[]; intervalS: number };
}

export interface SimulatedStage {
  stage: Stage;
  /** When the stage's blows were done. */
  at: Date;
  blows: SimulatedBlow[];
  /** ATS/ERS best values: the largest FVC and the largest FEV1 of the blows, their ratio, the highest PEF. */
  best: { fvcL: number; fev1L: number; ratio: number; pefLps: number };
}

/** One visit at the device: the baseline blows and, where the order asks for it, the blows 15–20 min after salbutamol. */
export interface SimulatedSession {
  pattern: SimulatedPattern;
  predicted: { fvcL: number; fev1L: number; ratio: number; pefLps: number };
  lln: { fvcL: number; fev1L: number; ratio: number; pefLps: number };
  pre: SimulatedStage;
  post: SimulatedStage | null;
  /** Whether the post-test shows a significant response; null without one. */
  responder: boolean | null;
  /** The device's own conclusion (Chinese, as a Chinese device prints it). */
  conclusion: string;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
/** The post-test is done this long after the baseline (salbutamol takes 15 min to act). */
const POST_DELAY_MS = 20 * 60_000;

function blows(stage: Stage, fvcL: number, fev1L: number, r: Random): SimulatedBlow[] {
  // Three blows, repeatable within about 100 mL, as a coached patient manages.
  return Array.from({ length: 3 }, (_, i) => {
    const f = 1 - i * 0.015 - r.next() * 0.01;
    const blowFvc = fvcL * f;
    const blowFev1 = fev1L * f;
    const curve = forcedExpiration(blowFvc, blowFev1, r);
    return { stage, number: i + 1, fvcL: blowFvc, fev1L: blowFev1, pefLps: Math.max(...curve.flowLps), curve };
  });
}

function stageOf(stage: Stage, at: Date, list: SimulatedBlow[]): SimulatedStage {
  const fvcL = Math.max(...list.map((b) => b.fvcL));
  const fev1L = Math.max(...list.map((b) => b.fev1L));
  return { stage, at, blows: list, best: { fvcL, fev1L, ratio: fev1L / fvcL, pefLps: Math.max(...list.map((b) => b.pefLps)) } };
}

/**
 * The whole visit from a seed: the same exam and seed give the same values, curves and conclusion, so every format
 * the device writes (and its printout) tells the same story. `at` is when the device writes the result: the
 * post-test then, the baseline 20 minutes earlier.
 */
export function simulateSession(exam: SimulatedExam, at: Date, seed: number): SimulatedSession {
  const r = seededRandom(seed);
  const predictedBase = roughPredicted(exam);
  const pattern = drawPattern(r);
  const base = simulatedValues(exam, pattern, r);
  const preBlows = blows('pre', base.fvcL, base.fev1L, r);
  const predicted = { ...predictedBase, ratio: predictedBase.fev1L / predictedBase.fvcL, pefLps: predictedBase.fev1L * 2.9 };
  const lln = { fvcL: predicted.fvcL * 0.8, fev1L: predicted.fev1L * 0.8, ratio: Math.min(0.7, predicted.ratio * 0.88), pefLps: predicted.pefLps * 0.75 };
  if (!exam.bronchodilator) {
    const pre = stageOf('pre', at, preBlows);
    return { pattern, predicted, lln, pre, post: null, responder: null, conclusion: conclusionOf(pre, null, null, lln) };
  }
  const pre = stageOf('pre', new Date(at.getTime() - POST_DELAY_MS), preBlows);
  const response = bronchodilatorResponse(pattern, pre.best, predicted.fev1L, r);
  const fev1Post = base.fev1L * response.fev1Factor;
  // The post ratio stays below 0.92, as in real lungs: a big FEV1 gain lifts the FVC with it.
  const fvcPost = Math.max(base.fvcL * response.fvcFactor, fev1Post / 0.92);
  const post = stageOf('post', at, blows('post', fvcPost, fev1Post, r));
  return { pattern, predicted, lln, pre, post, responder: response.responder, conclusion: conclusionOf(pre, post, response.responder, lln) };
}

function conclusionOf(pre: SimulatedStage, post: SimulatedStage | null, responder: boolean | null, lln: SimulatedSession['lln']): string {
  const obstructed = pre.best.ratio < lln.ratio;
  const smallFvc = pre.best.fvcL < lln.fvcL;
  const pattern = obstructed && smallFvc ? '混合性通气功能障碍' : obstructed ? '阻塞性通气功能障碍' : smallFvc ? '限制性通气功能障碍可能' : '肺通气功能正常';
  if (!post) return pattern;
  const gainMl = Math.round((post.best.fev1L - pre.best.fev1L) * 1000);
  const gainPct = ((post.best.fev1L - pre.best.fev1L) / pre.best.fev1L) * 100;
  return `${pattern}\n支气管舒张试验${responder ? '阳性' : '阴性'}（FEV1 改善 ${gainMl} mL，${gainPct.toFixed(1)}%）`;
}

/** FEV1 change after the bronchodilator, in mL and in % of the baseline. */
export function bronchodilatorChange(session: SimulatedSession): { fev1Ml: number; fev1Pct: number; fvcMl: number; fvcPct: number } | null {
  if (!session.post) return null;
  const { pre, post } = session;
  return {
    fev1Ml: Math.round((post.best.fev1L - pre.best.fev1L) * 1000),
    fev1Pct: round(((post.best.fev1L - pre.best.fev1L) / pre.best.fev1L) * 100, 1),
    fvcMl: Math.round((post.best.fvcL - pre.best.fvcL) * 1000),
    fvcPct: round(((post.best.fvcL - pre.best.fvcL) / pre.best.fvcL) * 100, 1),
  };
}

const localIso = (at: Date) => {
  const t = localDateTimeParts(at, DEFAULT_HOSPITAL_TIME_ZONE);
  return `${t.year}-${t.month}-${t.day}T${t.hour}:${t.minute}:${t.second}`;
};

// ---------------------------------------------------------------------------------------------------------------
// ndd EasyOne XML

const param = (id: string, value: number, unit: string, predicted: number | null, lln: number | null) =>
  `<ResultParameter ID="${id}"><DataValue>${value}</DataValue><Unit>${unit}</Unit><PredictedValue>${predicted ?? 'NaN'}</PredictedValue><LLNormalValue>${lln ?? 'NaN'}</LLNormalValue></ResultParameter>`;

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function nddTest(session: SimulatedSession, stage: SimulatedStage): string {
  const { predicted, lln } = session;
  const trialXml = stage.blows
    .map(
      (t) => `<Trial><Date>${localIso(stage.at)}.000</Date><Number>${t.number}</Number><Rank>${t.number}</Rank><Accepted>Yes</Accepted><ResultParameters>${param('FVC', round(t.fvcL), 'L', null, null)}${param('FEV1', round(t.fev1L), 'L', null, null)}${param('PEF', round(t.pefLps), 'L/s', null, null)}</ResultParameters>
<ChannelFlow><SamplingInterval>${t.curve.intervalS}</SamplingInterval><SamplingValues>${t.curve.flowLps.join(' ')}</SamplingValues><TimeZeroOffset>-0.5</TimeZeroOffset></ChannelFlow>
<ChannelVolume><SamplingInterval>${t.curve.intervalS}</SamplingInterval><SamplingValues>${t.curve.volumeL.join(' ')}</SamplingValues><TimeZeroOffset>-0.5</TimeZeroOffset></ChannelVolume></Trial>`,
    )
    .join('\r\n');
  const b = stage.best;
  return `<Test TypeOfTest="FVC"><TestDate>${localIso(stage.at)}.000</TestDate>\r
<BestValues>${param('FVC', round(b.fvcL), 'L', round(predicted.fvcL), round(lln.fvcL))}${param('FEV1', round(b.fev1L), 'L', round(predicted.fev1L), round(lln.fev1L))}${param('FEV1_FVC', round(b.ratio), '', round(predicted.ratio), round(lln.ratio))}${param('PEF', round(b.pefLps), 'L/s', round(predicted.pefLps), round(lln.pefLps))}</BestValues>\r
<QualityGrade>A</QualityGrade><Trials>${trialXml}</Trials><Device><SerialNumber>SIM-0001</SerialNumber><DeviceType>EasyOne Pro (simulated)</DeviceType></Device></Test>`;
}

/**
 * An ndd EasyOne "TestResult" file for a PerformTest command: UTF-16 LE with BOM, trials with raw curves. A
 * bronchodilator test is two FVC tests in the one Interval, baseline first and the post-test after it, as Easy
 * on-PC exports a pre/post session.
 */
export function nddTestResult(exam: SimulatedExam, at: Date, seed: number, options: { attachment?: string } = {}): Uint8Array {
  const session = simulateSession(exam, at, seed);
  const attachment = options.attachment ?? `C:\\ProgramData\\ndd\\Easy on-PC\\${exam.patientId}.pdf`;
  const tests = [nddTest(session, session.pre), ...(session.post ? [nddTest(session, session.post)] : [])].join('\r\n');
  const name = exam.name ? `<LastName>${xmlText(exam.name)}</LastName><FirstName/>` : '';
  const birth = exam.birthDate ? `<DateOfBirth>${exam.birthDate}</DateOfBirth>` : '';
  const xml = `<?xml version="1.0" encoding="utf-16"?>\r
<ndd Version="ndd.EasyWarePro.V1"><Command Type="TestResult"><Parameter Name="Attachment">${xmlText(attachment)}</Parameter></Command>\r
<Patients><Patient ID="${xmlText(exam.patientId)}">${name}<PatientDataAtPresent><Gender>${exam.sex === 'male' ? 'Male' : 'Female'}</Gender>${birth}<Height>${exam.heightCm / 100}</Height></PatientDataAtPresent>\r
<Intervals><Interval><OrderID>${xmlText(exam.accessionNo ?? '')}</OrderID><Tests>${tests}</Tests></Interval></Intervals></Patient></Patients></ndd>\r\n`;
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
}

// ---------------------------------------------------------------------------------------------------------------
// GDT 6310

const encodable = (text: string, encoding: string) => iconv.decode(iconv.encode(text, encoding), encoding) === text;

/**
 * A GDT 6310 result for a 6302 request, with decimal commas as German and Chinese device software write them.
 * Post-bronchodilator values are their own 8410 groups with a `_POST` test id (FEV1_POST …); the change goes into
 * the findings (6220), and the printed report is referenced in 6303/6305 when the device wrote one.
 */
export function gdtExamResult(exam: SimulatedExam, at: Date, seed: number, encoding = 'gbk', options: { pdfPath?: string } = {}): Uint8Array {
  const session = simulateSession(exam, at, seed);
  const { lln, pre, post } = session;
  const comma = (x: number) => round(x, 2).toFixed(2).replace('.', ',');
  const t = localDateTimeParts(pre.at, DEFAULT_HOSPITAL_TIME_ZONE);
  const text = (preferred: string, fallback: string) => (encodable(preferred, encoding) ? preferred : fallback);
  const fields: Array<[string, string]> = [
    ['8000', '6310'],
    ['8100', '00000'],
    ['3000', exam.patientId],
    ...(exam.name && encodable(exam.name, encoding) ? ([['3101', exam.name]] as Array<[string, string]>) : []),
    ...(exam.birthDate ? ([['3103', exam.birthDate.split('-').reverse().join('')]] as Array<[string, string]>) : []),
    ['3110', exam.sex === 'female' ? '2' : '1'],
    ['3622', String(Math.round(exam.heightCm))],
    ...(exam.accessionNo ? ([['8413', exam.accessionNo]] as Array<[string, string]>) : []),
    ['6200', `${t.day}${t.month}${t.year}`],
    ['6201', `${t.hour}${t.minute}${t.second}`],
    ['8410', 'FVC'], ['8420', comma(pre.best.fvcL)], ['8421', 'L'], ['8461', comma(lln.fvcL)],
    ['8410', 'FEV1'], ['8420', comma(pre.best.fev1L)], ['8421', 'L'], ['8461', comma(lln.fev1L)],
    ['8410', 'FEV1/FVC'], ['8420', comma(pre.best.ratio)], ['8461', comma(lln.ratio)],
    ['8410', 'PEF'], ['8420', comma(pre.best.pefLps)], ['8421', 'L/s'], ['8461', comma(lln.pefLps)],
  ];
  if (post) {
    fields.push(
      ['8410', 'FVC_POST'], ['8411', text('舒张后 FVC', 'FVC post')], ['8420', comma(post.best.fvcL)], ['8421', 'L'], ['8461', comma(lln.fvcL)],
      ['8410', 'FEV1_POST'], ['8411', text('舒张后 FEV1', 'FEV1 post')], ['8420', comma(post.best.fev1L)], ['8421', 'L'], ['8461', comma(lln.fev1L)],
      ['8410', 'FEV1/FVC_POST'], ['8411', text('舒张后 FEV1/FVC', 'FEV1/FVC post')], ['8420', comma(post.best.ratio)], ['8461', comma(lln.ratio)],
      ['8410', 'PEF_POST'], ['8411', text('舒张后 PEF', 'PEF post')], ['8420', comma(post.best.pefLps)], ['8421', 'L/s'], ['8461', comma(lln.pefLps)],
    );
  }
  for (const line of session.conclusion.split('\n')) fields.push(['6220', text(line, asciiConclusion(session, line))]);
  if (options.pdfPath) fields.push(['6303', 'PDF'], ['6304', text('肺功能检查报告', 'Lung function report')], ['6305', options.pdfPath]);
  const line = ([field, content]: [string, string]) => `${String(3 + 4 + iconv.encode(content, encoding).length + 2).padStart(3, '0')}${field}${content}\r\n`;
  const total = fields.reduce((n, f) => n + iconv.encode(line(f), encoding).length, 0);
  fields[1] = ['8100', String(total).padStart(5, '0')];
  return new Uint8Array(iconv.encode(fields.map(line).join(''), encoding));
}

/** The conclusion in English, for a device whose charset has no Chinese (ISO-8859-1). */
function asciiConclusion(session: SimulatedSession, line: string): string {
  if (line.startsWith('支气管舒张试验')) {
    const change = bronchodilatorChange(session)!;
    return `Bronchodilator response ${session.responder ? 'positive' : 'negative'} (FEV1 ${change.fev1Ml} mL, ${change.fev1Pct.toFixed(1)} %)`;
  }
  return /阻塞/.test(line) ? 'Obstructive ventilatory defect' : /混合/.test(line) ? 'Mixed ventilatory defect' : /限制/.test(line) ? 'Possible restrictive defect' : 'Normal spirometry';
}

// ---------------------------------------------------------------------------------------------------------------
// HL7 v2 ORU^R01

export interface OruOptions {
  /** MSH-3: the device system's application name, by which PFTIS finds the registered device. */
  sendingApplication: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
  /** MSH-10. */
  controlId: string;
  charset?: Hl7Charset;
}

/**
 * An HL7 v2.4 ORU^R01 as a lung-function system sends it (the shape of the LUNGTEST samples in
 * ../shared/samples/hl7v2/): ORC/OBR with the placer (申请单号) and filler (accession) numbers echoed from the
 * order, one NM OBX per best value with `>LLN` in OBX-7 and `L`/`N` in OBX-8; a bronchodilator test has
 * `_PRE`/`_POST` codes and an FEV1 change row; the device's conclusion is an FT OBX.
 */
export function oruResult(exam: SimulatedExam, at: Date, seed: number, options: OruOptions): Uint8Array {
  const session = simulateSession(exam, at, seed);
  const { lln, pre, post } = session;
  const time = (d: Date) => {
    const t = localDateTimeParts(d, DEFAULT_HOSPITAL_TIME_ZONE);
    return `${t.year}${t.month}${t.day}${t.hour}${t.minute}${t.second}`;
  };
  const charset = options.charset ?? 'utf-8';
  const e = (s: string | null | undefined) => escapeHl7(s ?? '');
  const item = exam.item ?? (exam.bronchodilator ? { code: 'BDT', name: '支气管舒张试验' } : { code: 'SPIRO', name: '肺通气功能检查' });
  const obx: string[] = [];
  const value = (code: string, label: string, x: number, unit: string, limit: number, digits: number, stage: SimulatedStage) => {
    obx.push(['OBX', String(obx.length + 1), 'NM', `${code}^${e(label)}^L`, '', x.toFixed(digits), unit, `>${limit.toFixed(digits)}`, x < limit ? 'L' : 'N', '', '', 'F', '', '', time(stage.at)].join('|'));
  };
  const stageRows = (stage: SimulatedStage, suffix: string, label: string) => {
    value(`FVC${suffix}`, `FVC${label}`, stage.best.fvcL, 'L', lln.fvcL, 2, stage);
    value(`FEV1${suffix}`, `FEV1${label}`, stage.best.fev1L, 'L', lln.fev1L, 2, stage);
    value(`FEV1_FVC${suffix}`, `FEV1/FVC${label}`, stage.best.ratio * 100, '%', lln.ratio * 100, 1, stage);
    value(`PEF${suffix}`, `PEF${label}`, stage.best.pefLps, 'L/s', lln.pefLps, 2, stage);
  };
  if (post) {
    stageRows(pre, '_PRE', ' 舒张前');
    stageRows(post, '_POST', ' 舒张后');
    const change = bronchodilatorChange(session)!;
    obx.push(['OBX', String(obx.length + 1), 'NM', `FEV1_CHANGE^${e('FEV1 改善率')}^L`, '', change.fev1Pct.toFixed(1), '%', '', '', '', '', 'F', '', '', time(post.at)].join('|'));
  } else {
    stageRows(pre, '', '');
  }
  obx.push(['OBX', String(obx.length + 1), 'FT', `INTERP^${e('结论')}^L`, '', session.conclusion.split('\n').map(e).join('\\.br\\'), '', '', '', '', '', 'F', '', '', time((post ?? pre).at)].join('|'));
  const birth = exam.birthDate?.replace(/-/g, '') ?? '';
  const segments = (msh18: string) => [
    ['MSH', '^~\\&', e(options.sendingApplication), e(options.sendingFacility), e(options.receivingApplication ?? 'PFTIS'), e(options.receivingFacility), time(at), '', 'ORU^R01', e(options.controlId), 'P', '2.4', '', '', '', '', 'CHN', msh18].join('|'),
    ['PID', '1', '', `${e(exam.patientId)}^^^HIS^PI`, '', e(exam.name), '', birth, exam.sex === 'female' ? 'F' : 'M'].join('|'),
    ['ORC', 'RE', e(exam.requestNo), e(exam.accessionNo)].join('|'),
    ['OBR', '1', e(exam.requestNo), e(exam.accessionNo), `${e(item.code)}^${e(item.name)}^L`, '', '', time(pre.at), time((post ?? pre).at), ...Array<string>(15).fill(''), 'PF', 'F'].join('|'),
    ...obx,
  ];
  const encoded = encodeHl7Message(`${segments(MSH18_BY_CHARSET[charset]).join('\r')}\r`, charset);
  if (encoded.ok) return encoded.value;
  // A name the charset lacks: the device falls back to UTF-8 and says so in MSH-18.
  return new TextEncoder().encode(`${segments(MSH18_BY_CHARSET['utf-8']).join('\r')}\r`);
}

// ---------------------------------------------------------------------------------------------------------------
// Printout

/** What the device prints, for the printout layouts (./printouts): values in the clinical core's units. */
export function printoutInput(exam: SimulatedExam, session: SimulatedSession, device: { name: string; serial: string; institution?: string }): PrintoutInput {
  const { predicted, lln, pre, post } = session;
  const sd = (p: number, l: number) => (p - l) / 1.645;
  const row = (param: string, pick: (b: SimulatedStage['best']) => number, p: number, l: number): PrintoutRow => {
    const preValue = pick(pre.best);
    const postValue = post ? pick(post.best) : null;
    return {
      param,
      predicted: p,
      lln: l,
      pre: preValue,
      preZ: (preValue - p) / sd(p, l),
      prePctPred: (preValue / p) * 100,
      ...(postValue === null
        ? {}
        : { post: postValue, postZ: (postValue - p) / sd(p, l), postPctPred: (postValue / p) * 100, changePct: ((postValue - preValue) / preValue) * 100 }),
    };
  };
  const birthDate = exam.birthDate ?? new Date(Date.now() - exam.ageYears * 365.25 * 86_400_000).toISOString().slice(0, 10);
  return {
    institution: device.institution ?? '示范医院 肺功能室',
    patient: { name: exam.name ?? exam.patientId, id: exam.patientId, sex: exam.sex === 'female' ? 'F' : 'M', birthDate, age: Math.floor(exam.ageYears), heightCm: exam.heightCm, weightKg: exam.weightKg ?? Math.round(exam.heightCm - 105) },
    identifiers: { accessionNo: exam.accessionNo, requestNo: exam.requestNo ?? null, outpatientSerial: null, inpatientSerial: null },
    test: { measuredAt: localIso((post ?? pre).at), operator: '技师', device: device.name, deviceSerial: device.serial, qualityGrade: 'A' },
    results: [
      row('FVC', (b) => b.fvcL, predicted.fvcL, lln.fvcL),
      row('FEV1', (b) => b.fev1L, predicted.fev1L, lln.fev1L),
      row('FEV1FVC', (b) => b.ratio, predicted.ratio, lln.ratio),
      row('PEF', (b) => b.pefLps, predicted.pefLps, lln.pefLps),
    ],
    conclusion: session.conclusion,
  };
}
