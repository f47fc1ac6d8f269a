import type { Arrival, ArrivalCounts, ReceiverChannel } from './arrivals.js';
import type { ReceiverMode } from './modes.js';

/** An arrival as JSON: the document as kind, size and hash, without the bytes or the raw message. */
export function arrivalJson(a: Arrival) {
  const { raw: _raw, document, ...rest } = a;
  return { ...rest, document: document ? { kind: document.kind, size: document.size, sha256: document.sha256, reference: document.reference } : null };
}

const CHANNEL_NAMES: Record<ReceiverChannel, string> = { http: 'Web 服务', fhir: 'FHIR', mllp: 'HL7 (MLLP)', sql: '数据库回写', file: '共享目录' };

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Beijing wall-clock time, as the HIS shows it. */
const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
/** A time as sent: with an offset (or Z) → Beijing wall clock; without → as written. */
const wallClock = (text: string) => (/(Z|[+-]\d{2}:?\d{2})$/.test(text) && !Number.isNaN(Date.parse(text)) ? beijing(text) : text.replace('T', ' '));

/** 状态: a revoke is a notice; a version is 已撤回 (withdrawn), 已被替代 or 有效. */
function status(a: Arrival): string {
  if (a.action === 'revoke') return `<span class="old">撤回${a.version === null ? '当前版本' : `第 ${a.version} 版`}</span>`;
  if (a.withdrawn) return `<span class="withdrawn-tag" title="${esc(a.revocationReason ?? '')}">已撤回</span>${a.superseded ? '<br><small>已被替代</small>' : ''}`;
  return a.superseded ? '<span class="old">已被替代</span>' : '<span class="ok">有效</span>';
}

/** The read-only "HIS 检查报告" page: one block per 申请单号, newest first, every version with its channel. */
export function renderViewer(arrivals: Arrival[], counts: ArrivalCounts, modes: Record<ReceiverChannel, ReceiverMode>, endpoints: Array<[string, string]>): string {
  const orders = new Map<string, Arrival[]>();
  for (const a of arrivals) {
    const key = a.orderNo ?? `（无申请单号，检查号 ${a.accessionNo ?? '?'}）`;
    orders.set(key, [...(orders.get(key) ?? []), a]);
  }
  const blocks = [...orders.entries()]
    .sort(([, x], [, y]) => Date.parse(y.at(-1)!.receivedAt) - Date.parse(x.at(-1)!.receivedAt))
    .map(([orderNo, list]) => {
      const patient = list.find((a) => a.patientName)?.patientName ?? '';
      const rows = [...list]
        .sort((x, y) => Date.parse(y.receivedAt) - Date.parse(x.receivedAt) || (y.version ?? 0) - (x.version ?? 0))
        .map(
          (a) => `<tr class="${a.action === 'revoke' ? 'revoke' : a.withdrawn ? 'withdrawn' : a.superseded ? 'superseded' : 'current'}">
  <td>${a.version === null ? '—' : `第 ${a.version} 版`}${a.action === 'replace' ? ` <span class="tag">更正${a.replaces !== null ? `（替代第 ${a.replaces} 版）` : ''}</span>` : ''}${a.action === 'revoke' ? ' <span class="tag revoke">撤回通知</span>' : ''}</td>
  <td>${status(a)}</td>
  <td>${esc(CHANNEL_NAMES[a.channel])}</td>
  <td>${esc(beijing(a.receivedAt))}</td>
  <td>${esc(a.reviewer)}${a.approvedAt ? `<br><small>${esc(wallClock(a.approvedAt))}</small>` : ''}</td>
  <td class="conclusion">${a.action === 'revoke' ? `撤回原因：${esc(a.revocationReason ?? '未说明')}` : esc(a.conclusion)}</td>
  <td><small>${esc(a.signatureSerial)}</small></td>
  <td>${a.document?.bytes ? `<a href="/arrivals/${esc(a.receiptNo)}/document">${a.document.kind.toUpperCase()} ${(a.size / 1024).toFixed(1)} KB</a>` : a.document?.reference ? esc(a.document.reference) : '—'}</td>
  <td>${a.duplicatesIgnored}</td>
  <td><small>${esc(a.receiptNo)}</small></td>
</tr>`,
        )
        .join('\n');
      return `<section><h2>申请单号 ${esc(orderNo)} <small>${esc(patient)}${list[0]?.visitSerialNo ? ` · 流水号 ${esc(list[0].visitSerialNo)}` : ''}</small></h2>
<table><thead><tr><th>版本</th><th>状态</th><th>通道</th><th>接收时间</th><th>审核医生</th><th>结论</th><th>电子签章号</th><th>报告</th><th>重复已忽略</th><th>回执号</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
    })
    .join('\n');
  const channelLine = (Object.keys(counts.byChannel) as ReceiverChannel[])
    .map((c) => `${esc(CHANNEL_NAMES[c])}: ${counts.byChannel[c].arrivals}${modes[c] !== 'up' ? ` <span class="old">[${esc(modes[c])}]</span>` : ''}`)
    .join(' · ');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>演示医院 HIS · 检查报告接收</title>
<style>
body{font-family:system-ui,"Noto Sans SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin:20px 0 6px}small{color:#666}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:left;vertical-align:top}
th{background:#f4f6f8}tr.superseded td{color:#999}.tag{background:#fff3cd;padding:0 4px}.ok{color:#1a7f37}.old{color:#b35900}
tr.withdrawn td{color:#999;text-decoration:line-through}tr.withdrawn td:nth-child(2){text-decoration:none}.withdrawn-tag{color:#cf222e;font-weight:600}
tr.revoke td{background:#fff5f5}.tag.revoke{background:#ffd7d5}
.conclusion{max-width:28em;white-space:pre-line}.muted{color:#666;font-size:13px}
</style></head><body>
<h1>演示医院 HIS · 检查报告接收（肺功能）</h1>
<p class="muted">本页只读，每 5 秒刷新。共 ${counts.arrivals} 份报告、${counts.orders} 个申请单；重复投递已忽略 ${counts.duplicatesIgnored} 次，拒收 ${counts.refused} 次。<br>${channelLine}</p>
<p class="muted">${endpoints.map(([name, url]) => `${esc(name)}: <code>${esc(url)}</code>`).join(' · ')} · <a href="/arrivals">JSON</a></p>
${blocks || '<p>尚未收到任何报告。在 PFTIS 中审核通过一份报告后，它会出现在这里。</p>'}
</body></html>`;
}
