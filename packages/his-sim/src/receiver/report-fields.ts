import iconv from 'iconv-lite';
import { parseXml, type XmlElement } from '@pftis/formats/xml/tiny-xml';
import { decodeXmlBytes } from '@pftis/formats/xml/text-decoding';
import { documentOf, type ArrivalDocument, type ReportAction, type ReportFields } from './arrivals.js';

/**
 * Reading a report out of whatever a sender chose to send: PFTIS's DeliveredReport serialised as JSON or XML, a
 * platform's flat "BS320"-style message (requestNo, versionNo, docImageContent …), or a sidecar of a file drop. Keys
 * are matched by meaning, case- and punctuation-blind (request_no = requestNo = REQUESTNO), nearest the root first.
 */

type Tree = unknown;

const norm = (key: string) => key.toLowerCase().replace(/[^a-z0-9\u4e00-\u9fff]/g, '');

/** Breadth-first: the shallowest value under one of the names that `accept` takes, not looking inside `skip`. */
function find<T>(root: Tree, names: string[], accept: (value: unknown) => T | null, skip?: RegExp): T | null {
  const wanted = new Set(names.map(norm));
  let level: unknown[] = [root];
  for (let depth = 0; depth < 8 && level.length; depth++) {
    const next: unknown[] = [];
    for (const node of level) {
      if (Array.isArray(node)) {
        next.push(...node);
        continue;
      }
      if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) continue;
      for (const [key, value] of Object.entries(node)) {
        if (wanted.has(norm(key))) {
          const accepted = accept(value);
          if (accepted !== null) return accepted;
        }
        if (value && typeof value === 'object' && !skip?.test(key)) next.push(value);
      }
    }
    level = next;
  }
  return null;
}

const text = (value: unknown): string | null => {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
};

const integer = (value: unknown): number | null => {
  const s = text(value);
  return s !== null && /^\d+$/.test(s) ? Number(s) : null;
};

/** A string, or an object carrying one as text/name/value (conclusion.text, reviewer.name …). */
const textOrInner = (value: unknown): string | null => {
  const direct = text(value);
  if (direct !== null || !value || typeof value !== 'object') return direct;
  if (Array.isArray(value)) return textOrInner(value.at(-1));
  const o = value as Record<string, unknown>;
  for (const k of ['text', 'name', 'display', 'value', '#text']) {
    const inner = text(o[k]);
    if (inner !== null) return inner;
  }
  return null;
};

/** Base64 text, a serialised Uint8Array ({"0":37,…} or [37,…]), or an object holding one of those. */
export function bytesFrom(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') {
    const compact = value.replace(/\s+/g, '');
    if (compact.length < 4 || !/^[A-Za-z0-9+/_-]+=*$/.test(compact)) return null;
    const bytes = new Uint8Array(Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64'));
    return bytes.length ? bytes : null;
  }
  if (Array.isArray(value)) return value.length > 3 && value.every((n) => Number.isInteger(n) && n >= 0 && n < 256) ? Uint8Array.from(value as number[]) : null;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of ['bytes', 'base64', 'data', 'content', 'value', '#text']) {
      if (k in o) {
        const inner = bytesFrom(o[k]);
        if (inner) return inner;
      }
    }
    const keys = Object.keys(o);
    if (keys.length > 3 && keys.every((k, i) => k === String(i))) return bytesFrom(Object.values(o));
  }
  return null;
}

const isDocument = (bytes: Uint8Array | null): bytes is Uint8Array =>
  bytes !== null && ((bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) || (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff));

const NAMES = {
  idempotencyKey: ['idempotencyKey', 'mdj', '幂等键'],
  orderNo: ['requestNo', 'applyNo', 'applicationNo', 'sqdh', '申请单号', 'placerOrderNo'],
  accessionNo: ['accessionNo', 'examNo', 'jch', '检查号', 'fillerOrderNo'],
  visitSerialNo: ['visitSerialNo', 'visitOrdNo', 'jzlsh', '就诊流水号'],
  version: ['version', 'versionNo', 'reportVersion', 'bbh', '版本号'],
  action: ['action', 'actionCode', 'czlx', 'operation'],
  supersedesVersion: ['supersedesVersion', 'replacesVersion', 'btdbbh'],
  revocationReason: ['revocationReason', 'revokeReason', 'withdrawReason', 'cancelReason', 'cxyy', 'zfyy', '撤回原因', '作废原因'],
  conclusion: ['conclusion', 'jl', '结论', '检查结论'],
  reviewer: ['reviewer', 'reviewDoctor', 'reviewDoctors', 'shys', '审核医生'],
  approvedAt: ['approvedAt', 'reviewTime', 'shsj', 'effectiveTime', '审核时间'],
  signatureSerial: ['signatureSerial', 'signatureId', 'dzqzh', '电子签章号'],
  patientName: ['patientName', 'brxm', 'bingrenxm', '病人姓名'],
  document: ['pdf', 'pdfBase64', 'docImageContent', 'document', 'reportPdf', 'jpgPages', 'image', 'images'],
  reference: ['pdfPath', 'filePath', 'documentUrl', 'wjlj', 'url'],
};

export function documentFrom(root: Tree): ArrivalDocument | null {
  const bytes = find(root, NAMES.document, (v) => {
    const b = Array.isArray(v) && !v.every((n) => typeof n === 'number') ? bytesFrom(v[0]) : bytesFrom(v);
    return isDocument(b) ? b : null;
  });
  if (bytes) return documentOf(bytes);
  const reference = find(root, NAMES.reference, text);
  return reference ? { kind: 'reference', bytes: null, size: 0, sha256: null, reference } : null;
}

/** replace: 更正 …; revoke: 撤回 / 作废 / withdraw / cancel … (HL7 X, FHIR entered-in-error); else publish. */
export function actionOf(value: string | null): ReportAction {
  if (!value) return 'publish';
  if (/^(replace|correct|corrected|amend|amended|update|c|2|更正|替换)$/i.test(value)) return 'replace';
  if (/^(revoke|revoked|revocation|withdraw|withdrawn|recall|cancel|cancelled|canceled|void|entered-in-error|x|3|撤回|作废|撤销|召回)$/i.test(value)) return 'revoke';
  return 'publish';
}

/** Reads the report fields out of a parsed JSON or XML tree. */
// Where a flat platform message's `name` is not the patient's.
const NOT_PATIENT = /hospital|doctor|dept|department|item|reviewer|reporter|technician|document|docimage|result|header/i;
const keyShaped = (value: unknown) => {
  const s = text(value);
  return s !== null && /^[^:\s]+:\d+$/.test(s) ? s : null;
};

export function fieldsFromTree(root: Tree): ReportFields {
  const patient = find(root, ['patient', 'patientInfo', 'brxx'], (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : null));
  return {
    // The BS320-style body carries the key as body.reportId (`${reportId}:${version}`).
    idempotencyKey: find(root, NAMES.idempotencyKey, text) ?? find(root, ['reportId', 'examReportId'], keyShaped),
    orderNo: find(root, NAMES.orderNo, text),
    accessionNo: find(root, NAMES.accessionNo, text),
    visitSerialNo: find(root, NAMES.visitSerialNo, text),
    version: find(root, NAMES.version, integer),
    action: actionOf(find(root, NAMES.action, text)),
    supersedesVersion: find(root, NAMES.supersedesVersion, integer),
    revocationReason: find(root, NAMES.revocationReason, text),
    patientName: find(root, NAMES.patientName, text) ?? (patient ? find(patient, ['name', 'xm', '姓名'], textOrInner) : find(root, ['name', 'xm', '姓名'], text, NOT_PATIENT)),
    conclusion: find(root, NAMES.conclusion, textOrInner),
    reviewer: find(root, NAMES.reviewer, textOrInner),
    approvedAt: find(root, NAMES.approvedAt, text),
    signatureSerial: find(root, NAMES.signatureSerial, text),
    document: documentFrom(root),
  };
}

/** An XML element as a plain tree: leaves are their text, repeated names become arrays, attributes are keys. */
export function xmlToTree(element: XmlElement): Tree {
  if (element.children.length === 0 && Object.keys(element.attributes).length === 0) return element.text.trim();
  const tree: Record<string, unknown> = { ...element.attributes };
  if (element.children.length === 0) tree['#text'] = element.text.trim();
  for (const c of element.children) {
    const value = xmlToTree(c);
    const existing = tree[c.name];
    tree[c.name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return tree;
}

/** Text of a body: the declared charset (HTTP header or XML declaration) wins, then a BOM, then UTF-8. */
export function decodeBody(bytes: Uint8Array, charset: string | null): string {
  const label = charset?.toLowerCase().replace(/^"|"$/g, '') ?? null;
  if (label && label !== 'utf-8' && label !== 'utf8' && iconv.encodingExists(label)) return iconv.decode(Buffer.from(bytes), label);
  if (!label) {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(head)?.[1];
    if (declared && !/^utf-?8$/i.test(declared) && iconv.encodingExists(declared)) return iconv.decode(Buffer.from(bytes), declared);
  }
  return decodeXmlBytes(bytes) ?? new TextDecoder('utf-8').decode(bytes);
}

export type ParsedBody = { ok: true; tree: Tree } | { ok: false; reason: string };

/** JSON or XML, by the content type when it says, else by the first character. */
export function parseBody(textBody: string, contentType: string | null): ParsedBody {
  const body = textBody.replace(/^\uFEFF/, '');
  const xml = contentType ? /xml/i.test(contentType) : body.trimStart().startsWith('<');
  if (xml) {
    const parsed = parseXml(body);
    return parsed.ok ? { ok: true, tree: { [parsed.value.name]: xmlToTree(parsed.value) } } : { ok: false, reason: `XML 无法解析: ${parsed.reason}` };
  }
  try {
    return { ok: true, tree: JSON.parse(body) as Tree };
  } catch (error) {
    return { ok: false, reason: `JSON 无法解析: ${(error as Error).message}` };
  }
}
