/**
 * A stored report version + the exam's facts → the ReportDocument the renderer draws. Pure: labels, units and
 * formatting only.
 */
import { DEFAULT_TEMPLATES_EN, DEFAULT_TEMPLATES_ZH, type Pattern, type Severity } from '@pftis/clinical';
import { deviceGradeDiffers, type ReportContent, type StageQuality } from './draft.js';
import type { ReportCurve, ReportDocument, ReportLanguage, ReportRow, ReportSignature } from './render/report-document.js';

export const PARAM_LABELS: Record<string, { zh: string; en: string; decimals: number; percent?: boolean }> = {
  FVC: { zh: 'FVC 用力肺活量', en: 'FVC', decimals: 2 },
  FEV1: { zh: 'FEV1 第一秒用力呼气容积', en: 'FEV1', decimals: 2 },
  FEV1FVC: { zh: 'FEV1/FVC 一秒率', en: 'FEV1/FVC', decimals: 1, percent: true },
  FEV6: { zh: 'FEV6 六秒用力呼气容积', en: 'FEV6', decimals: 2 },
  PEF: { zh: 'PEF 呼气峰流量', en: 'PEF', decimals: 2 },
  FEF2575: { zh: 'FEF25-75 用力呼气中期流量', en: 'FEF25-75', decimals: 2 },
  FEF75: { zh: 'FEF75 呼出75%肺活量时流量', en: 'FEF75', decimals: 2 },
  VC: { zh: 'VC 肺活量', en: 'VC', decimals: 2 },
  TLC: { zh: 'TLC 肺总量', en: 'TLC', decimals: 2 },
  RV: { zh: 'RV 残气量', en: 'RV', decimals: 2 },
  RVTLC: { zh: 'RV/TLC 残总比', en: 'RV/TLC', decimals: 1 },
  FRC: { zh: 'FRC 功能残气量', en: 'FRC', decimals: 2 },
  ERV: { zh: 'ERV 补呼气量', en: 'ERV', decimals: 2 },
  IC: { zh: 'IC 深吸气量', en: 'IC', decimals: 2 },
  TLCO_SI: { zh: 'DLCO 一氧化碳弥散量', en: 'TLCO', decimals: 2 },
  KCO_SI: { zh: 'KCO 比弥散量', en: 'KCO', decimals: 2 },
  VA: { zh: 'VA 肺泡容积', en: 'VA', decimals: 2 },
};

const EQUATION_NAMES: Record<string, string> = {
  gli2022: 'GLI Global 2022', gli2012: 'GLI-2012', gli2017: 'GLI-2017 (2020)', gli2021: 'GLI-2021', jian2017: 'Jian 2017', nhanes3: 'NHANES III',
};
const GROUP_NAMES = { spirometry: { zh: '通气', en: 'spirometry' }, transfer: { zh: '弥散', en: 'transfer factor' }, volumes: { zh: '肺容量', en: 'lung volumes' } } as const;
const SEX = { male: { zh: '男', en: 'Male' }, female: { zh: '女', en: 'Female' }, unknown: { zh: '未知', en: 'Unknown' } } as const;
const VISIT = { outpatient: { zh: '门诊', en: 'Outpatient' }, inpatient: { zh: '住院', en: 'Inpatient' }, emergency: { zh: '急诊', en: 'Emergency' }, physical: { zh: '体检', en: 'Check-up' } } as const;

export interface DocumentFacts {
  hospitalName: string;
  campusName: string;
  logo: Uint8Array | null;
  patient: { name: string; sex: 'male' | 'female' | 'unknown'; ageLabel: string; hisPatientId: string | null };
  exam: {
    accessionNo: string; requestNo: string | null; itemName: string; visitType: keyof typeof VISIT; visitSerialNo: string | null;
    ward: string | null; bed: string | null; requestingDepartment: string | null; requestingDoctor: string | null; clinicalDiagnosis: string | null;
    heightCm: number | null; weightKg: number | null; examDate: string;
  };
  version: { version: number; final: boolean; correctionReason: string | null; content: ReportContent; conclusionText: string; pattern: string | null; severity: string | null; bdr: 'positive' | 'negative' | null };
  curves: Array<{ stage: 'pre' | 'post'; number: number; accepted: boolean | null; sampleIntervalS: number; flowLps: number[]; volumeL: number[] }>;
  signatures: ReportSignature[];
  verification: { code: string; url: string } | null;
  printedAt: string;
  title?: string;
  footer?: string;
}



export function conclusionSummary(language: ReportLanguage, v: { pattern: string | null; severity: string | null; bdr: 'positive' | 'negative' | null }): string | null {
  const templates = language === 'zh' ? DEFAULT_TEMPLATES_ZH : DEFAULT_TEMPLATES_EN;
  const parts: string[] = [];
  if (v.pattern && v.pattern in templates.pattern) {
    const severity = v.severity && v.severity in templates.severity ? templates.severity[v.severity as Severity] : '';
    parts.push(templates.pattern[v.pattern as Pattern].replace('{severity}', severity).trim());
  }
  if (v.bdr) parts.push(templates.bdr[v.bdr]);
  return parts.length ? parts.join(language === 'zh' ? '，' : '; ') : null;
}

/**
 * The printed quality line: our ATS/ERS 2019 grades, pre- and post-bronchodilator each graded on its own, and the
 * device's grade too when it differs (clinical.md §7.3), e.g. "舒张前 FEV1 A、FVC A；舒张后 FEV1 B、FVC A
 * （ATS/ERS 2019）；设备判定 C".
 */
export function qualityLine(language: ReportLanguage, q: ReportContent['quality']): string | null {
  if (!q) return null;
  const zh = language === 'zh';
  const grades = (g: StageQuality) => `FEV1 ${g.fev1 ?? '-'}${zh ? '、' : ', '}FVC ${g.fvc ?? '-'}`;
  const sep = zh ? '；' : '; ';
  if (q.source === 'device') {
    const device = `${grades(q)}${zh ? '（设备判定）' : ' (device)'}`;
    return q.post ? `${device}${sep}${zh ? '舒张后' : 'Post'} ${grades(q.post)}${zh ? '（ATS/ERS 2019）' : ' (ATS/ERS 2019)'}` : device;
  }
  const ats = zh ? '（ATS/ERS 2019）' : ' (ATS/ERS 2019)';
  const ours = q.post ? `${zh ? '舒张前' : 'Pre'} ${grades(q)}${sep}${zh ? '舒张后' : 'Post'} ${grades(q.post)}${ats}` : `${grades(q)}${ats}`;
  return deviceGradeDiffers(q) ? `${ours}${sep}${zh ? '设备判定' : 'device grade'} ${q.device}` : ours;
}

export function buildReportDocument(facts: DocumentFacts, language: ReportLanguage = 'zh'): ReportDocument {
  const zh = language === 'zh';
  const { exam, patient, version } = facts;
  const field = (zhLabel: string, enLabel: string, value: string | number | null | undefined) =>
    value === null || value === undefined || value === '' ? [] : [{ label: zh ? zhLabel : enLabel, value: String(value) }];
  const visitNoLabel = exam.visitType === 'inpatient' ? ['住院流水号', 'Admission no.'] : ['门诊流水号', 'Visit no.'];
  const patientFields = [
    ...field('姓名', 'Name', patient.name),
    ...field('性别', 'Sex', SEX[patient.sex][language]),
    ...field('年龄', 'Age', patient.ageLabel),
    ...field('身高', 'Height', exam.heightCm === null ? null : `${exam.heightCm} cm`),
    ...field('体重', 'Weight', exam.weightKg === null ? null : `${exam.weightKg} kg`),
    ...field('病人ID', 'Patient ID', patient.hisPatientId),
    ...field('就诊类型', 'Visit', VISIT[exam.visitType][language]),
    ...field(visitNoLabel[0]!, visitNoLabel[1]!, exam.visitSerialNo),
    ...field('病区/床号', 'Ward/bed', exam.ward ? `${exam.ward}${exam.bed ? ` ${exam.bed}床` : ''}` : null),
    ...field('申请科室', 'Department', exam.requestingDepartment),
    ...field('申请医生', 'Requested by', exam.requestingDoctor),
    ...field('检查项目', 'Test', exam.itemName),
    ...field('临床诊断', 'Diagnosis', exam.clinicalDiagnosis),
    ...field('检查日期', 'Test date', exam.examDate),
  ];
  const rows: ReportRow[] = version.content.rows.map((r) => {
    const label = PARAM_LABELS[r.param];
    const scale = label?.percent ? 100 : 1;
    const s = (v: number | null) => (v === null ? null : v * scale);
    return {
      param: r.param,
      label: label ? label[language] : r.param,
      unit: label?.percent ? '%' : r.unit,
      predicted: s(r.predicted), lln: s(r.lln), uln: s(r.uln), measured: s(r.measured), zScore: r.zScore, pctPredicted: r.pctPredicted,
      post: s(r.post), postZScore: r.postZScore, postPctPredicted: r.postPctPredicted, changePct: r.changePct,
      decimals: label?.decimals ?? 2,
    };
  });
  const equationText = version.content.equations
    .map((e) => `${EQUATION_NAMES[e.equation] ?? e.equation}${e.ethnicity ? ` (${e.ethnicity})` : ''}${zh ? `（${GROUP_NAMES[e.group].zh}）` : ` (${GROUP_NAMES[e.group].en})`}`)
    .join(zh ? '；' : '; ');
  const qualityText = qualityLine(language, version.content.quality);
  const best = new Map<string, number>();
  for (const c of facts.curves) {
    const fvc = Math.max(...c.volumeL) - Math.min(...c.volumeL);
    if ((best.get(c.stage) ?? -1) < fvc) best.set(c.stage, fvc);
  }
  const curves: ReportCurve[] = facts.curves.map((c) => {
    const start = c.volumeL[0] ?? 0;
    const fvc = Math.max(...c.volumeL) - Math.min(...c.volumeL);
    const step = Math.max(1, Math.floor(c.flowLps.length / 400));
    const flowVolume: ReportCurve['flowVolume'] = [];
    const volumeTime: ReportCurve['volumeTime'] = [];
    for (let i = 0; i < c.flowLps.length; i += step) {
      flowVolume.push({ x: (c.volumeL[i] ?? 0) - start, y: c.flowLps[i] ?? 0 });
      volumeTime.push({ x: i * c.sampleIntervalS, y: (c.volumeL[i] ?? 0) - start });
    }
    return { label: `${c.stage === 'pre' ? (zh ? '舒张前' : 'Pre') : zh ? '舒张后' : 'Post'} ${c.number}`, stage: c.stage, best: best.get(c.stage) === fvc, flowVolume, volumeTime };
  });
  return {
    language,
    final: version.final,
    version: version.version,
    correctionReason: version.correctionReason,
    hospital: { name: facts.hospitalName, campusName: facts.campusName, title: facts.title ?? (zh ? '肺功能检查报告' : 'Pulmonary Function Test Report'), logo: facts.logo },
    patientFields,
    accessionNo: exam.accessionNo,
    requestNo: exam.requestNo,
    rows,
    equationText: equationText || (zh ? '未计算预计值' : 'no reference values'),
    qualityText,
    curves,
    interpretation: { text: version.conclusionText, summary: conclusionSummary(language, version) },
    signatures: facts.signatures,
    verification: facts.verification,
    footer: facts.footer ?? (zh ? '本报告仅对本次检查结果负责，请结合临床。' : 'This report applies to this test only; interpret with the clinical picture.'),
    printedAt: facts.printedAt,
  };
}

