/**
 * PDF signing benchmark: npx tsx bench/signing.bench.ts
 * Sign and verify of a ~100 KB pdfkit report (Noto Sans SC, Chinese text, drawn curves) with RSA-2048/SHA-256 and
 * SM2/SM3, median and p95 over RUNS runs each, beside baselines measured in the same run: the bare hash + sign (and
 * hash + verify) of the same bytes (Node crypto for RSA and SM3, sm-crypto-v2 for SM2). Prints a Markdown table.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { cpus } from 'node:os';
import { sm2 } from 'sm-crypto-v2';
import { openSealedPrivateKey, sealPrivateKey, signPdf, verifyPdfSignatures } from '../packages/server/src/modules/review/signing/index.js';
import { parsePrivateKey } from '../packages/server/src/modules/review/signing/keys.js';
import { departmentCredentials, pdfkitReport } from '../packages/server/src/modules/review/signing/test-helpers.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARMUP = 3;

async function measure(fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

// Nearest-rank percentile of sorted values.
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

let pages = 20;
let pdf = await pdfkitReport(pages);
while (pdf.length < 100_000) pdf = await pdfkitReport(++pages);

const rows: Array<[string, number[]]> = [];
const options = { signingTime: new Date(Math.floor(Date.now() / 1000) * 1000), reason: '报告审核签发', location: '某某医院肺功能室', name: '张三' };

for (const algorithm of ['rsa', 'sm2'] as const) {
  const { ca, signer } = await departmentCredentials(algorithm);
  const label = algorithm === 'rsa' ? 'RSA-2048 / SHA-256' : 'SM2 / SM3';
  let signed: Uint8Array = new Uint8Array();
  rows.push([`signPdf, ${label}`, await measure(async () => (signed = await signPdf(pdf, signer, options)))]);
  const check = (await verifyPdfSignatures(signed, { trusted: [ca.certificatePem] }))[0];
  if (!check?.valid) throw new Error(`${algorithm} signature did not verify`);
  rows.push([`verifyPdfSignatures (with CA chain), ${label}`, await measure(() => verifyPdfSignatures(signed, { trusted: [ca.certificatePem] }))]);

  const key = parsePrivateKey(signer.privateKeyPem);
  if (key.algorithm === 'rsa') {
    const privateKey = createPrivateKey(signer.privateKeyPem);
    const publicKey = createPublicKey(privateKey);
    const signature = sign('sha256', pdf, privateKey);
    rows.push([`baseline: SHA-256 + RSA sign of the same bytes (Node crypto)`, await measure(() => sign('sha256', pdf, privateKey))]);
    rows.push([`baseline: SHA-256 + RSA verify of the same bytes (Node crypto)`, await measure(() => verify('sha256', pdf, publicKey, signature))]);
  } else {
    // SM3 of the file natively (sm-crypto-v2's JavaScript SM3 alone takes ~15 ms per 100 KB), then SM2 over the digest.
    const sm2Sign = () => sm2.doSignature(createHash('sm3').update(pdf).digest(), key.privateKeyHex, { der: true, hash: true, publicKey: key.publicKeyHex });
    const signature = sm2Sign();
    rows.push([`baseline: SM3 of the same bytes (Node) + SM2 sign of the digest (sm-crypto-v2)`, await measure(sm2Sign)]);
    rows.push([
      `baseline: SM3 of the same bytes (Node) + SM2 verify of the digest (sm-crypto-v2)`,
      await measure(() => sm2.doVerifySignature(createHash('sm3').update(pdf).digest(), signature, key.publicKeyHex, { der: true, hash: true })),
    ]);
  }
}

const { signer } = await departmentCredentials('sm2');
const sealed = await sealPrivateKey(signer.privateKeyPem, '246810');
rows.push(['openSealedPrivateKey (PIN → PBKDF2-HMAC-SM3 ×100,000 → SM4 + HMAC-SM3)', await measure(() => openSealedPrivateKey(sealed, '246810'))]);

console.log(`\n## PDF signing (Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${RUNS} runs after ${WARMUP} warm-up)\n`);
console.log(`Input: pdfkit report of ${pages} pages, ${(pdf.length / 1024).toFixed(1)} KiB (Noto Sans SC subset, Chinese text, curves).\n`);
console.log('| operation | median | p95 | min | max |');
console.log('|---|---|---|---|---|');
for (const [name, t] of rows) console.log(`| ${name} | ${ms(percentile(t, 50))} ms | ${ms(percentile(t, 95))} ms | ${ms(t[0]!)} ms | ${ms(t.at(-1)!)} ms |`);
