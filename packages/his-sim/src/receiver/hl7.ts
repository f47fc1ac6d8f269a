import iconv from 'iconv-lite';
import { unescapeHl7 } from '@pftis/formats/hl7/escape';
import { documentOf, type ArrivalDocument, type ReportFields } from './arrivals.js';

/**
 * The demo HIS's reading of an ORU^R01 report message (../shared/docs/interfaces.md §2): split by the delimiters
 * MSH declares, nothing validated beyond what the HIS needs to file the report.
 *
 * Where it looks:
 * - 申请单号: ORC-2, else OBR-2; 检查号 (accession): ORC-3, else OBR-3; 流水号: PV1-19; patient: PID-5.
 * - correction: OBR-25 = C (or ORC-1 = XO); final: OBR-25 = F; revoke (withdrawal): OBR-25 = X, or every OBX-11 W or D
 *   (table 0085 "post original as wrong" / "deletes the OBX record"), the reason in an NTE (`撤回原因：…`).
 * - version: an OBX whose OBX-3 code is VERSION / REPORT_VERSION / BBH / 报告版本, else the `:n` of the key.
 * - idempotency key: an OBX coded IDEMPOTENCY_KEY / REPORT_KEY / MDJ, else OBR-20/21/18/19 when shaped
 *   `<reportId>:<version>`, else `<申请单号>:<version>`, else the MSH-10.
 * - conclusion: an FT/TX/ST OBX coded CONCL…/INTERP…/IMP…/结论, else the NTE text; reviewer: OBR-32, else OBR-16/ORC-12;
 *   approved at: OBR-22; 电子签章号: an OBX coded SIGNATURE… / DZQZH / 电子签章号; the PDF or JPEG: an ED OBX
 *   (`^AP^PDF^Base64^…` or `^application^pdf^Base64^…`), or an RP OBX (a path or URL).
 */
export interface OruForHis {
  controlId: string;
  messageType: string;
  sendingApplication: string;
  sendingFacility: string;
  hl7Version: string;
  charset: string;
  /** MSH fields by number (msh[10] = MSH-10). */
  msh: string[];
  fields: ReportFields & { idempotencyKey: string };
}

export type Hl7Encoding = 'utf-8' | 'gbk' | 'gb18030';

/**
 * 'auto': MSH-18 when it names GB 18030 / GBK or UTF-8, else UTF-8 when the bytes are valid UTF-8, else GB18030 (a
 * superset of GBK), as Chinese HIS often send GBK with MSH-18 empty (interfaces.md §2.6).
 */
export function detectHl7Encoding(bytes: Uint8Array): Hl7Encoding {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 400)).split(/\r|\n/)[0] ?? '';
  const msh18 = head.startsWith('MSH') && head.length > 3 ? (head.split(head[3]!)[17] ?? '') : '';
  if (/GB|18030/i.test(msh18)) return 'gb18030';
  if (/UTF-?8|UNICODE/i.test(msh18)) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

export const decodeHl7Bytes = (bytes: Uint8Array, encoding: Hl7Encoding): string =>
  encoding === 'utf-8' ? new TextDecoder('utf-8').decode(bytes) : iconv.decode(Buffer.from(bytes), encoding);

export const encodeHl7Text = (text: string, encoding: Hl7Encoding): Uint8Array =>
  encoding === 'utf-8' ? new TextEncoder().encode(text) : new Uint8Array(iconv.encode(text, encoding));

interface Segments {
  all: string[][];
  component: string;
  subcomponent: string;
}

function split(text: string): Segments | null {
  const lines = text.split(/\r\n|\r|\n/).filter((s) => s.trim() !== '');
  const msh = lines[0];
  if (!msh || !msh.startsWith('MSH') || msh.length < 8) return null;
  const field = msh[3]!;
  if (/[\sA-Za-z0-9]/.test(field)) return null;
  const all = lines.map((line) => {
    const f = line.split(field);
    // MSH-1 is the separator itself, so MSH fields keep their numbers: f[n] = MSH-n.
    return line.startsWith('MSH') ? [f[0]!, field, ...f.slice(1)] : f;
  });
  return { all, component: msh[4] ?? '^', subcomponent: msh[7] ?? '&' };
}

/** The NTE of a revoke: `撤回原因：…` (or 作废 / 撤销). */
const REVOCATION_NOTE = /^\s*(撤回|作废|撤销)原因\s*[：:]\s*/;

export type OruReading = { ok: true; value: OruForHis } | { ok: false; code: 'AR' | 'AE'; reason: string; controlId: string; msh: string[] | null };

export function readOruForHis(text: string): OruReading {
  const parsed = split(text);
  if (!parsed) return { ok: false, code: 'AR', reason: '消息不是以 MSH 开始的 HL7 v2 消息', controlId: '', msh: null };
  const { all, component, subcomponent } = parsed;
  const segment = (name: string) => all.find((s) => s[0] === name);
  const segments = (name: string) => all.filter((s) => s[0] === name);
  const msh = all[0]!;
  const first = (value: string | undefined) => (value ? unescapeHl7(value.split(component)[0] ?? '').trim() || null : null);
  const controlId = msh[10] ?? '';
  const messageType = (msh[9] ?? '').split(component).slice(0, 2).join('^');
  if (!/^ORU\^R01$/.test(messageType)) return { ok: false, code: 'AR', reason: `不支持的消息类型 ${messageType || '(空)'}，只接收 ORU^R01`, controlId, msh };
  if (!controlId) return { ok: false, code: 'AE', reason: 'MSH-10 消息控制号为空', controlId, msh };

  const orc = segment('ORC');
  const obr = segment('OBR');
  const pid = segment('PID');
  const pv1 = segment('PV1');
  const obx = segments('OBX');
  const coded = (pattern: RegExp) =>
    obx.find((s) => {
      const [code = '', label = ''] = (s[3] ?? '').split(component);
      return pattern.test(code) || pattern.test(label);
    });
  const obxValue = (s: string[] | undefined) => (s ? unescapeHl7(s[5] ?? '').trim() || null : null);

  const orderNo = first(orc?.[2]) ?? first(obr?.[2]);
  const accessionNo = first(orc?.[3]) ?? first(obr?.[3]);
  if (!orderNo && !accessionNo) return { ok: false, code: 'AE', reason: '缺少申请单号（ORC-2/OBR-2）和检查号（ORC-3/OBR-3）', controlId, msh };

  const keyShaped = (value: string | null) => (value && /^[^:]+:\d+$/.test(value) ? value : null);
  const explicitKey = obxValue(coded(/^(IDEMPOTENCY_?KEY|REPORT_?KEY|MDJ)$|幂等键/i)) ?? [20, 21, 18, 19].map((n) => keyShaped(first(obr?.[n]))).find(Boolean) ?? null;
  const versionText = obxValue(coded(/^(REPORT_?)?VERSION$|^BBH$|报告版本/i));
  const version = versionText && /^\d+$/.test(versionText) ? Number(versionText) : explicitKey ? Number(/:(\d+)$/.exec(explicitKey)?.[1] ?? NaN) || null : null;
  const idempotencyKey = explicitKey ?? (version !== null ? `${orderNo ?? accessionNo}:${version}` : `MSH-10:${controlId}`);

  const resultStatus = (obr?.[25] ?? '').trim().toUpperCase();
  const withdrawnObservations = obx.length > 0 && obx.every((s) => /^[WD]$/i.test((s[11] ?? '').trim()));
  const action =
    resultStatus === 'X' || (resultStatus === '' && withdrawnObservations) ? 'revoke' : resultStatus === 'C' || (orc?.[1] ?? '').toUpperCase() === 'XO' ? 'replace' : 'publish';
  const supersedesText = obxValue(coded(/^SUPERSEDES_?VERSION$|^REPLACES$|被替代版本/i));

  const conclusionObx = obx.find((s) => /^(FT|TX|ST)$/.test(s[2] ?? '') && /CONCL|INTERP|IMP|结论|印象/i.test((s[3] ?? '').split(component).slice(0, 2).join(' ')));
  const allNotes = segments('NTE').map((s) => unescapeHl7(s[3] ?? '')).filter(Boolean);
  const revocationNote = allNotes.find((n) => REVOCATION_NOTE.test(n));
  const notes = allNotes.filter((n) => n !== revocationNote).join('\n');
  const person = (value: string | undefined) => {
    if (!value) return null;
    const c1 = value.split(component);
    // OBR-32 (NDL): component 1 is id&family&given; XCN fields (OBR-16, ORC-12) are id^family^given.
    const parts = c1[0]?.includes(subcomponent) ? c1[0].split(subcomponent) : c1;
    const name = parts.slice(1, 3).filter(Boolean).join('') || parts[0] || '';
    return unescapeHl7(name).trim() || null;
  };
  const pidName = pid?.[5] ? pid[5].split(component).slice(0, 2).filter(Boolean).join('') : '';

  return {
    ok: true,
    value: {
      controlId,
      messageType,
      sendingApplication: first(msh[3]) ?? '',
      sendingFacility: first(msh[4]) ?? '',
      hl7Version: first(msh[12]) ?? '2.5',
      charset: msh[18] ?? '',
      msh,
      fields: {
        idempotencyKey,
        orderNo,
        accessionNo,
        visitSerialNo: first(pv1?.[19]),
        version,
        action,
        supersedesVersion: supersedesText && /^\d+$/.test(supersedesText) ? Number(supersedesText) : null,
        revocationReason: action === 'revoke' ? (revocationNote?.replace(REVOCATION_NOTE, '').trim() || allNotes.join('\n') || null) : null,
        patientName: unescapeHl7(pidName) || null,
        conclusion: obxValue(conclusionObx) ?? (notes || null),
        reviewer: person(obr?.[32]) ?? person(obr?.[16]) ?? person(orc?.[12]),
        approvedAt: hl7Time(first(obr?.[22])),
        signatureSerial: obxValue(coded(/^SIGNATURE(_?SERIAL|_?ID)?$|^DZQZH$|电子签章/i)),
        document: documentFromObx(obx, component),
      },
    },
  };
}

function documentFromObx(obx: string[][], component: string): ArrivalDocument | null {
  const documents = obx
    .filter((s) => s[2] === 'ED')
    .map((s) => {
      const parts = (s[5] ?? '').split(component);
      const kind = `${parts[1] ?? ''}/${parts[2] ?? ''}`.toUpperCase();
      const encoding = (parts[3] ?? '').toUpperCase();
      const data = (parts[4] ?? '').replace(/\s+/g, '');
      if (encoding !== 'BASE64' || !data) return null;
      return { pdf: /PDF/.test(kind), bytes: new Uint8Array(Buffer.from(data, 'base64')) };
    })
    .filter((d) => d !== null);
  const chosen = documents.find((d) => d.pdf) ?? documents[0];
  if (chosen) return documentOf(chosen.bytes);
  const pointer = obx.find((s) => s[2] === 'RP');
  const reference = pointer ? unescapeHl7((pointer[5] ?? '').split(component)[0] ?? '') : '';
  return reference ? { kind: 'reference', bytes: null, size: 0, sha256: null, reference } : null;
}

/** YYYYMMDDHHMM[SS][+zzzz] → ISO-like text (with the offset when one was sent); other text as it is. */
function hl7Time(value: string | null): string | null {
  if (!value) return null;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(value);
  if (!m) return value;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${zone ? `${zone.slice(0, 3)}:${zone.slice(3)}` : ''}`;
}

const hl7Now = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 14);

/** An original-mode ACK: MSA-1 AA/AE/AR, MSA-2 = the acknowledged MSH-10, MSA-3 text, ERR on AE/AR. */
export function buildAck(o: { code: 'AA' | 'AE' | 'AR'; controlId: string; text: string; msh: string[] | null; ackId: string; at: Date }): string {
  const m = o.msh ?? [];
  const esc = (s: string) => s.replace(/[|^~\\&\r\n]/g, ' ');
  const segments = [
    ['MSH', '^~\\&', 'DEMO-HIS', 'DEMO-HOSPITAL', m[3] ?? '', m[4] ?? '', hl7Now(o.at), '', 'ACK^R01^ACK', o.ackId, 'P', m[12] || '2.5', '', '', '', '', '', m[18] ?? ''].join('|'),
    ['MSA', o.code, esc(o.controlId), esc(o.text)].join('|'),
  ];
  if (o.code !== 'AA') segments.push(['ERR', '', '', o.code === 'AR' ? '200^Unsupported message type^HL70357' : '207^Application internal error^HL70357', 'E', '', '', '', esc(o.text)].join('|'));
  return `${segments.join('\r')}\r`;
}
