import { describe, expect, it } from 'vitest';
import { child, childText, childrenNamed, parseXml } from '../xml/tiny-xml.ts';
import { REPORT_FIELDS } from './fields.ts';
import { sampleDeliveredReport } from './fixtures.ts';
import { toBase64 } from './ids.ts';
import { ReportTemplateError, buildReportJson, buildReportXml, checkReportTemplate } from './template.ts';

const now = new Date('2026-11-25T07:30:00Z');
const xml = (text: string) => {
  const parsed = parseXml(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

describe('buildReportJson / buildReportXml with the default templates', () => {
  it('writes the BS320-shaped JSON body with the PDF in base64', () => {
    const report = sampleDeliveredReport();
    const body = buildReportJson(report, { now });
    expect(body.contentType).toBe('application/json; charset=utf-8');
    expect(Buffer.from(body.bytes).toString('utf8')).toBe(body.text);
    const json = JSON.parse(body.text);
    expect(json.header).toMatchObject({ service_id: 'BS320', date_time: '2026-11-25 15:30:00', hospital_id: 'DY', visit_type: '门诊', send_sys_id: 'PFTIS' });
    expect(json.header.msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.body).toMatchObject({
      versionNo: '1',
      action: '发布',
      examReportLid: report.reportId,
      examNo: 'PF20261125-0037',
      effectiveTime: '2026-11-25 15:20:00',
      patientLid: 'P000123456',
      visitNo: 'MZ2026112537',
      visitOrdNo: 'MZLS20261125-004417',
      name: '张伟',
      genderCode: '1',
      genderName: '男',
      requestNo: 'SQ2026112500815',
      requestDoctorName: '李娜',
      reportDoctors: [{ date: '2026-11-25 15:20:00', code: '', name: '陈志强' }],
      reviewDoctors: [{ date: '2026-11-25 15:20:00', role: '审核医生', code: '', name: '刘建国' }],
      conclusion: report.conclusion.text,
      signatureId: '5A3F09C1D27E4B88',
      pdfSha256: report.pdf.sha256,
    });
    expect(json.body.results).toHaveLength(report.results.length);
    expect(json.body.results[0]).toEqual({ code: 'FEV1', loinc: '20150-9', name: 'FEV1 一秒量', stage: '舒张前', value: '2.36', unit: 'L', predicted: '3.23', lln: '2.41', uln: '4.01', zScore: '-1.75', pctPredicted: '73', flag: 'L' });
    expect(json.body.results[9]).toMatchObject({ code: 'PEF_POST', stage: '舒张后', value: '6.85', predicted: '', flag: '' });
    expect(json.body.docImages).toEqual([{ docImageSeq: '1', docImageFormat: 'PDF', docImageContent: toBase64(report.pdf.bytes) }]);
    expect(new Uint8Array(Buffer.from(json.body.docImages[0].docImageContent, 'base64'))).toEqual(report.pdf.bytes);
    // The message id is the same at every retry.
    expect(JSON.parse(buildReportJson(report, { now: new Date() }).text).header.msg_id).toBe(json.header.msg_id);
  });

  it('sends the JPG pages when the target takes images', () => {
    const pages = [new Uint8Array([0xff, 0xd8, 1, 0xff, 0xd9]), new Uint8Array([0xff, 0xd8, 2, 0xff, 0xd9])];
    const report = sampleDeliveredReport({ jpgPages: pages });
    const json = JSON.parse(buildReportJson(report, { now, document: 'jpg', serviceId: 'BS369', senderId: 'FGN' }).text);
    expect(json.header).toMatchObject({ service_id: 'BS369', send_sys_id: 'FGN' });
    expect(json.body.docImages).toEqual(pages.map((page, i) => ({ docImageSeq: String(i + 1), docImageFormat: 'JPG', docImageContent: toBase64(page) })));
    const root = xml(buildReportXml(report, { now, document: 'jpg' }).text);
    expect(childrenNamed(child(child(root, 'body'), 'docImages'), 'docImage').map((d) => childText(d, 'docImageContent'))).toEqual(pages.map(toBase64));
  });

  it('writes the same content as well-formed XML', () => {
    const report = sampleDeliveredReport({ version: 2, action: 'replace' });
    const body = buildReportXml(report, { now });
    expect(body.contentType).toBe('application/xml; charset=utf-8');
    const root = xml(body.text);
    const b = child(root, 'body');
    expect(childText(child(root, 'header'), 'service_id')).toBe('BS320');
    expect([childText(b, 'versionNo'), childText(b, 'action'), childText(b, 'supersedesVersion'), childText(b, 'correctionReason')]).toEqual(['2', '更正', '1', '舒张后 FVC 录入有误，已按设备原始数据更正']);
    expect(child(b, 'conclusion')?.text).toBe(report.conclusion.text);
    const results = childrenNamed(child(b, 'results'), 'result');
    expect(results).toHaveLength(12);
    expect(results[6]?.attributes).toEqual({ code: 'FEV1_POST', loinc: '20150-9', stage: 'post' });
    expect(childText(results[6], 'value')).toBe('2.74');
    expect(childText(child(child(b, 'reviewDoctors'), 'reviewDoctor'), 'name')).toBe('刘建国');
  });

  it('writes a revoke as the same body with action 撤回, the reason, the withdrawn version and its digests, and no document', () => {
    const published = JSON.parse(buildReportJson(sampleDeliveredReport(), { now }).text);
    const report = sampleDeliveredReport({ action: 'revoke' });
    for (const document of ['pdf', 'jpg'] as const) {
      const body = buildReportJson(report, { now, document });
      const json = JSON.parse(body.text);
      expect(json.body).toMatchObject({
        versionNo: '1',
        action: '撤回',
        revocationReason: report.revocationReason,
        correctionReason: '',
        examReportLid: report.reportId,
        reportId: report.idempotencyKey,
        requestNo: 'SQ2026112500815',
        examNo: 'PF20261125-0037',
        pdfSha256: report.pdf.sha256,
        pdfSm3: report.pdf.sm3,
        docImages: [],
      });
      expect(body.text).not.toContain(toBase64(report.pdf.bytes).slice(0, 40));
      // Its own message id (the same at every retry of the revoke), not the publication's.
      expect(json.header.msg_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(json.header.msg_id).not.toBe(published.header.msg_id);
      expect(JSON.parse(buildReportJson(report, { now: new Date() }).text).header.msg_id).toBe(json.header.msg_id);
    }
    expect(published.body).toMatchObject({ action: '发布', revocationReason: '' });
    const b = child(xml(buildReportXml(report, { now }).text), 'body');
    expect([childText(b, 'action'), childText(b, 'revocationReason'), childText(b, 'reportId')]).toEqual(['撤回', report.revocationReason, report.idempotencyKey]);
    expect(childrenNamed(child(b, 'docImages'), 'docImage')).toEqual([]);
    // Custom templates: {{action}} revoke, {{deliveryKey}}, empty {{documentBase64}}, no {{#pages}}.
    const custom = JSON.parse(
      buildReportJson(report, { now, template: '{"op": "{{action}}", "key": "{{deliveryKey}}", "of": "{{idempotencyKey}}", "why": "{{revocationReason}}", "pdf": "{{documentBase64}}", "n": "{{pageCount}}", "p": [{{#pages}}"{{pageBase64}}"{{/pages}}]}' }).text,
    );
    expect(custom).toEqual({ op: 'revoke', key: `${report.idempotencyKey}:revoke`, of: report.idempotencyKey, why: report.revocationReason, pdf: '', n: '0', p: [] });
  });

  it('escapes quotes, <, & and backslashes and keeps Chinese text in both formats', () => {
    const text = '他说 "阻塞" <轻度> & \'混合\' C:\\path\n第二行\t}{{';
    const report = sampleDeliveredReport({ conclusion: { text }, patient: { name: '欧阳"娜娜"<&>' } });
    const json = JSON.parse(buildReportJson(report, { now }).text);
    expect(json.body.conclusion).toBe(text);
    expect(json.body.name).toBe('欧阳"娜娜"<&>');
    const root = xml(buildReportXml(report, { now }).text);
    expect(child(child(root, 'body'), 'conclusion')?.text).toBe(text);
    expect(childText(child(root, 'body'), 'name')).toBe('欧阳"娜娜"<&>');
  });
});

describe('custom templates', () => {
  it('renders {{field}} escaped per format, and list sections', () => {
    const report = sampleDeliveredReport({ order: { requestNo: 'SQ"1"<2>&3' } });
    const jsonTemplate = '{"no": "{{ requestNo }}", "doctor": "{{reviewer}}", "values": [{{#results}}{"p": "{{param}}", "v": {{value}}, "by": "{{reviewer}}"}{{/results}}]}';
    const json = JSON.parse(buildReportJson(report, { now, template: jsonTemplate }).text);
    expect(json.no).toBe('SQ"1"<2>&3');
    expect(json.values.map((v: { p: string; v: number }) => [v.p, v.v]).slice(0, 2)).toEqual([['FEV1', 2.36], ['FVC', 3.86]]);
    expect(json.values[0].by).toBe('刘建国');
    const xmlTemplate = '<r no="{{requestNo}}"><n>{{requestNo}}</n>{{#results}}<v p="{{localCode}}">{{value}}</v>{{/results}}</r>';
    const text = buildReportXml(report, { now, template: xmlTemplate }).text;
    expect(text).toContain('<r no="SQ&quot;1&quot;&lt;2&gt;&amp;3"><n>SQ&quot;1&quot;&lt;2&gt;&amp;3</n>');
    // (../xml/tiny-xml.ts refuses &lt; in attribute values, so the parse check uses a value without '<'.)
    const root = xml(buildReportXml(sampleDeliveredReport({ order: { requestNo: 'SQ"1"&3\'' } }), { now, template: xmlTemplate }).text);
    expect(root.attributes.no).toBe('SQ"1"&3\'');
    expect(childText(root, 'n')).toBe('SQ"1"&3\'');
    expect(childrenNamed(root, 'v').map((v) => [v.attributes.p, v.text]).slice(6, 7)).toEqual([['FEV1_POST', '2.74']]);
  });

  it('refuses unknown fields, bad sections and output that is not well-formed, with the reasons', () => {
    const report = sampleDeliveredReport();
    const problems = (template: string, format: 'json' | 'xml' = 'json') => {
      try {
        (format === 'json' ? buildReportJson : buildReportXml)(report, { now, template });
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ReportTemplateError);
        return (error as ReportTemplateError).problems;
      }
    };
    expect(problems('{"a": "{{patientNmae}}"}')).toEqual([expect.stringMatching(/^unknown field \{\{patientNmae\}\}/)]);
    expect(problems('{"a": "{{value}}"}')).toEqual([expect.stringMatching(/unknown field \{\{value\}\} \(a list field: use it inside its section\)/)]);
    expect(problems('[{{#results}}"{{param}}"]')).toEqual(['{{#results}} is not closed']);
    expect(problems('[{{#results}}{{#pages}}{{/pages}}{{/results}}]')[0]).toMatch(/do not nest/);
    expect(problems('{"a": "{{reviewer}"}')[0]).toMatch(/malformed tag/);
    expect(problems('{"a": {{reviewer}}}')[0]).toMatch(/not valid JSON/);
    expect(problems('<a>{{reviewer}}</b>', 'xml')[0]).toMatch(/not well-formed XML/);
  });

  it('checks a template before it is saved', () => {
    expect(checkReportTemplate('', 'json')).toEqual([]);
    expect(checkReportTemplate('{"a": "{{reviewer}}", "r": [{{#results}}{"v": "{{value}}"}{{/results}}]}', 'json')).toEqual([]);
    // Unquoted text fields break JSON as soon as a value needs quotes; the check fills every field with such text.
    expect(checkReportTemplate('{"a": {{reviewer}}}', 'json')[0]).toMatch(/not valid JSON/);
    // Repetitions are joined with ',' in JSON, so a section inside an array is fine and one in an object key is not.
    expect(checkReportTemplate('{"r": {{#results}}"{{value}}"{{/results}}}', 'json')[0]).toMatch(/not valid JSON/);
    expect(checkReportTemplate('<a x="{{conclusion}}">{{#pages}}<p>{{pageBase64}}</p>{{/pages}}</a>', 'xml')).toEqual([]);
    expect(checkReportTemplate('<a>{{nope}}</a>', 'xml')[0]).toMatch(/unknown field/);
    for (const name of Object.keys(REPORT_FIELDS)) expect(checkReportTemplate(`{"x": "{{${name}}}"}`, 'json')).toEqual([]);
  });
});
