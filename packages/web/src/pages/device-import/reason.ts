/**
 * Why a file waits in quarantine or in 待匹配, in Chinese for the technician. The server records its reasons in
 * English (for logs and support); the common ones are translated here, the rest shown as recorded.
 */
const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^device printout kept with the exam/, () => '设备打印报告已随检查保存（数值取自设备结果文件）'],
  [/^not a recognised device file$/, () => '无法识别的设备文件（不是支持的结果格式）'],
  [/^no layout template fits this report$/, () => '没有适用的报告版式模板，请在“报告模板”中添加或调整后重新解析'],
  [/^no layout template named (.+)$/, (m) => `找不到名为 ${m[1]} 的报告版式模板`],
  [/^layout template (.+?) found no results/, (m) => `报告版式模板 ${m[1]} 未能读出结果表，请调整模板后重新解析`],
  [/^(pdf|image) files need a document reader$/, () => '该类型文件需要报告版式解析（未启用）'],
  [/^(?:PDF|image): no text found$/, () => '文件中没有可识别的文字'],
  [/^identity differs from the HIS for (.+?): (.+)$/, (m) => `患者信息与 HIS 不一致（${m[2]}），请人工核对后绑定`],
  [/^no exam with accession number (.+)$/, (m) => `找不到检查号为 ${m[1]} 的检查`],
  [/^(\d+) exams match (.+)$/, (m) => `有 ${m[1]} 个检查符合条件，无法自动确定，请人工绑定`],
  [/^no single open exam for this patient on the test day$/, () => '该患者在检查日没有唯一的待检检查，请人工绑定'],
  [/^the file names no exam, order or patient$/, () => '文件中没有检查号、申请单号或患者标识，请人工绑定'],
  [/^ndd XML: (.+)$/, (m) => `ndd XML 文件无法解析：${m[1]}`],
  [/^GDT: (.+)$/, (m) => `GDT 文件无法解析：${m[1]}`],
  [/^HL7: (.+)$/, (m) => `HL7 消息无法解析：${m[1]}`],
  [/^PDF: (.+)$/, (m) => `PDF 文件无法读取：${m[1]}`],
  [/^OCR: (.+)$/, (m) => `图像文字识别失败：${m[1]}`],
];

export function reasonZh(reason: string): string {
  for (const [pattern, say] of RULES) {
    const match = reason.match(pattern);
    if (match) return say(match);
  }
  return reason;
}
