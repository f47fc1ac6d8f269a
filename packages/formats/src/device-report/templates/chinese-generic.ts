import type { DeviceReportTemplate } from '../template.ts';

/**
 * A Chinese-language device printout as domestic spirometers and the Chinese editions of imported ones print it
 * (interfaces.md §8.1): a "标签：值" patient block with 门诊/住院流水号 and 申请单号, one table
 * `参数 · 单位 · 预计值 · LLN · 实测值(前) · 实/预% · Z值 · 实测值(后) · 实/预% · 改善率%`, row labels in Chinese with the
 * English abbreviation (`用力肺活量 FVC`), FEV1/FVC in percent, volumes in L or mL, and a "结论：" block.
 * Reads the embedded-font and the non-embedded (STSong-Light) printouts alike.
 */
export const chineseGeneric: DeviceReportTemplate = {
  name: 'cn-pft-generic',
  version: 1,
  vendor: '国产肺功能仪',
  language: 'zh',
  description: '中文肺功能检查报告（预计值/实测值/实/预%）',
  decimal: '.',
  dateFormat: 'YYYY-MM-DD',
  anchors: [
    { text: '肺功能检查报告', weight: 2 },
    { text: '预计值' },
    { text: '实测值' },
    { text: '实/预%' },
    { text: '结论' },
  ],
  minScore: 0.6,
  fields: [
    { field: 'name', labels: ['姓名：', '姓名'] },
    { field: 'sex', labels: ['性别：', '性别'] },
    { field: 'age', labels: ['年龄：', '年龄'] },
    { field: 'birthDate', labels: ['出生日期：'], dateFormat: 'YYYY年MM月DD日' },
    { field: 'heightCm', labels: ['身高：', '身高'] },
    { field: 'weightKg', labels: ['体重：', '体重'] },
    { field: 'patientId', labels: ['病历号：', 'ID号：', '患者ID：'] },
    { field: 'outpatientSerial', labels: ['门诊流水号：', '门诊号：'] },
    { field: 'inpatientSerial', labels: ['住院流水号：', '住院号：'] },
    { field: 'requestNo', labels: ['申请单号：'] },
    { field: 'accessionNo', labels: ['检查号：'] },
    { field: 'testDateTime', labels: ['检查日期：', '检查时间：'] },
    { field: 'operator', labels: ['操作者：', '技师：'] },
    { field: 'device', labels: ['仪器：', '设备：'] },
    { field: 'deviceSerial', labels: ['编号：', '序列号：'] },
  ],
  tables: [
    {
      columns: [
        { role: 'param', headers: ['参数', '项目'] },
        { role: 'unit', headers: ['单位'] },
        { role: 'predicted', headers: ['预计值', '预测值'] },
        { role: 'lln', headers: ['LLN', '正常下限'] },
        { role: 'pre', headers: ['实测值(前)', '实测值', '用药前'] },
        { role: 'pctPred', headers: ['实/预%', '实测/预计%', '占预计值%'] },
        { role: 'z', headers: ['Z值', 'Z分值', 'Z-Score'] },
        { role: 'post', headers: ['实测值(后)', '用药后'] },
        { role: 'postPctPred', headers: ['实/预%', '实测/预计%', '占预计值%'] },
        { role: 'changePct', headers: ['改善率%', '改善率', '变化率%'] },
      ],
      minColumns: 3,
      end: ['结论'],
    },
  ],
  conclusion: { start: ['结论：', '结论', '印象：'], end: ['报告医师', '审核医师', '签名'], maxLines: 10 },
};
