import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { route } from '../../platform/http.js';
import { IdParams } from '../auth/auth.schemas.js';
import { actorOf } from '../auth/auth.routes.js';
import { actorRef } from '../auth/auth.service.js';
import { ReviewPolicySchema, type ReviewService } from './review.service.js';
import * as s from './review.schemas.js';
import type { SignaturesService } from './signatures.service.js';

export { createReviewService, type ReviewService, type Renderer } from './review.service.js';
export { createSignaturesService, type SignaturesService } from './signatures.service.js';

const sendPdf = (reply: FastifyReply, pdf: Uint8Array, final: boolean, name: string) =>
  reply
    .type('application/pdf')
    .header('x-report-final', final ? '1' : '0')
    .header('content-disposition', `inline; filename="${name}.pdf"`)
    .header('cache-control', 'no-store')
    .send(Buffer.from(pdf));

/** The report workspace, tiered review, printing and public verification. */
export function reviewRoutes(app: FastifyInstance, review: ReviewService, hospitalName: string) {
  const tags = ['review'];
  route(app, { method: 'GET', url: '/api/exams/:id/report', access: 'exam.read', summary: 'The report workspace of one exam', tags, params: IdParams, query: z.object({ version: z.coerce.number().int().min(1).optional() }), response: s.Workspace }, (req) =>
    review.workspace(actorOf(req), req.params.id, req.query.version),
  );
  route(app, { method: 'POST', url: '/api/exams/:id/report', access: 'exam.read', summary: 'Draft the report from the device values (idempotent)', tags, params: IdParams, response: s.Created, status: 201 }, (req) =>
    review.create(actorOf(req), req.params.id),
  );
  route(app, { method: 'PUT', url: '/api/reports/:id/conclusion', access: 'exam.read', summary: "Write the conclusion (draft, or the reviewer's level)", tags, params: IdParams, body: s.ConclusionBody, response: z.object({ version: z.number() }) }, (req) =>
    review.save(actorOf(req), req.params.id, req.body),
  );
  route(app, { method: 'POST', url: '/api/reports/:id/submit', access: 'exam.read', summary: 'Submit for review', tags, params: IdParams, response: z.object({ status: z.literal('pending'), chain: z.array(s.ChainLevel) }) }, (req) =>
    review.submit(actorOf(req), req.params.id),
  );
  route(app, { method: 'POST', url: '/api/reports/:id/return', access: 'exam.read', summary: 'Return to the author with a comment', tags, params: IdParams, body: z.object({ comment: z.string().trim().min(1, '请填写退回意见').max(1000) }), response: z.object({ status: z.literal('draft') }) }, (req) =>
    review.returnToAuthor(actorOf(req), req.params.id, req.body.comment),
  );
  route(app, { method: 'POST', url: '/api/reports/:id/approve', access: 'exam.read', summary: 'Approve at the current level with the signing PIN; the last level signs the final PDF', tags, params: IdParams, body: s.PinBody, response: s.Approved }, (req) =>
    review.approve(actorOf(req), req.params.id, req.body.pin),
  );
  route(app, { method: 'POST', url: '/api/reports/:id/correct', access: 'report.write', summary: 'Start a correction of an approved report (a new version)', tags, params: IdParams, body: z.object({ reason: z.string().trim().min(2, '请填写更正原因').max(1000) }), response: z.object({ version: z.number() }) }, (req) =>
    review.correct(actorOf(req), req.params.id, req.body.reason),
  );
  route(
    app,
    { method: 'POST', url: '/api/reports/:id/revoke', access: 'report.approve.level2', summary: 'Revoke (withdraw) an approved report with a reason and the signing PIN (without a signing key: the login password)', tags, params: IdParams, body: z.object({ reason: z.string().trim().min(2, '请填写撤回原因').max(1000), pin: z.string().min(1, '请输入签名密码或登录密码').max(128) }), response: z.object({ status: z.literal('revoked'), version: z.number() }) },
    (req) => review.revoke(actorOf(req), req.params.id, req.body.reason, req.body.pin),
  );
  route(app, { method: 'GET', url: '/api/reports/:id/pdf', access: 'exam.read', summary: 'View a version: the signed PDF when final, else a watermarked draft', tags, params: IdParams, query: z.object({ version: z.coerce.number().int().min(1).optional() }) }, async (req, reply) => {
    const { final, pdf } = await review.pdf(actorOf(req), req.params.id, req.query.version);
    return sendPdf(reply, pdf, final, final ? 'report' : 'draft');
  });
  route(app, { method: 'POST', url: '/api/reports/:id/print', access: 'report.print', summary: 'One-click print: the signed final PDF (counted), or a 草稿 draft; where the lab requires it, pin is the signing PIN (or the login password of a user without a signing key)', tags, params: IdParams, body: z.object({ pin: z.string().max(128).optional() }).default({}) }, async (req, reply) => {
    const { final, pdf } = await review.print(actorOf(req), req.params.id, req.body.pin);
    return sendPdf(reply, pdf, final, final ? 'report' : 'draft');
  });
  route(app, { method: 'GET', url: '/api/reports/:id/versions/:version/pages/:page', access: 'exam.read', summary: 'One page of the final report as JPEG', tags, params: z.object({ id: z.uuid(), version: z.coerce.number().int().min(1), page: z.coerce.number().int().min(1).max(50) }) }, async (req, reply) => {
    const pages = await review.jpgPages(actorOf(req), req.params.id, req.params.version);
    const page = pages[req.params.page - 1];
    if (!page) return reply.status(404).type('application/problem+json').send({ title: '页码不存在', status: 404 });
    return reply.type('image/jpeg').header('x-page-count', String(pages.length)).send(Buffer.from(page));
  });
  route(app, { method: 'GET', url: '/api/review/queue', access: 'exam.read', summary: '待审核: reports waiting at a level I can approve', tags, response: s.Queue }, (req) => review.queue(actorOf(req)));
  route(app, { method: 'GET', url: '/api/review/policy', access: 'authenticated', summary: "The lab's review chain", tags, response: ReviewPolicySchema }, () => review.policy());
  route(app, { method: 'PUT', url: '/api/review/policy', access: 'system.settings', summary: 'Change the review chain', tags, body: ReviewPolicySchema, response: ReviewPolicySchema }, (req) =>
    review.updatePolicy(actorRef(actorOf(req)), req.body),
  );
  route(app, { method: 'GET', url: '/api/verify/:code', access: 'public', summary: 'Is this report authentic? (no login; no patient data)', tags, params: s.CodeParams, response: s.Verification }, async (req) => ({
    hospital: hospitalName, ...(await review.verification(req.params.code)),
  }));
  route(app, { method: 'POST', url: '/api/verify/:code', access: 'public', summary: 'Check a presented PDF against the stored report (raw bytes, application/octet-stream)', tags, params: s.CodeParams, body: z.instanceof(Buffer, { message: '请上传 PDF 文件' }), response: s.Verification }, async (req) => ({
    hospital: hospitalName, ...(await review.verification(req.params.code, new Uint8Array(req.body))),
  }));
}

/** 电子签名: my signature image and signing key. */
export function signatureRoutes(app: FastifyInstance, signatures: SignaturesService) {
  const tags = ['signatures'];
  route(app, { method: 'GET', url: '/api/me/signature', access: 'authenticated', summary: 'My signature image and certificate', tags, response: s.SignatureStatus }, (req) => signatures.status(actorOf(req).userId));
  route(app, { method: 'PUT', url: '/api/me/signature/image', access: 'authenticated', summary: 'Upload my handwritten signature (PNG, application/octet-stream)', tags, body: z.instanceof(Buffer, { message: '请上传 PNG 图片' }), response: s.SignatureStatus }, (req) =>
    signatures.setImage({ ...actorRef(actorOf(req)), userId: actorOf(req).userId }, new Uint8Array(req.body)),
  );
  route(app, { method: 'POST', url: '/api/me/signature/issue', access: 'authenticated', summary: "Get a certificate from the department CA, key sealed with my PIN", tags, body: s.IssueBody, response: s.SignatureStatus }, (req) =>
    signatures.issue(actorOf(req), req.body.algorithm, req.body.pin),
  );
  route(app, { method: 'POST', url: '/api/me/signature/import', access: 'authenticated', summary: 'Import my personal certificate (PKCS#12)', tags, body: s.ImportBody, response: s.SignatureStatus }, (req) =>
    signatures.importP12(actorOf(req), new Uint8Array(Buffer.from(req.body.p12Base64, 'base64')), req.body.password, req.body.pin),
  );
  route(app, { method: 'GET', url: '/api/signing/trust', access: 'system.settings', summary: 'The certificates signatures may chain to: department CAs (always) and the trust list', tags, response: s.TrustList }, () => signatures.trustList());
  route(app, { method: 'POST', url: '/api/signing/trust', access: 'system.settings', summary: 'Trust a CA certificate (or one personal certificate) for report signatures', tags, body: s.TrustBody, response: s.TrustEntry, status: 201 }, (req) =>
    signatures.addTrust(actorOf(req), req.body),
  );
  route(app, { method: 'DELETE', url: '/api/signing/trust/:id', access: 'system.settings', summary: 'Stop trusting a certificate', tags, params: IdParams, response: z.object({ ok: z.literal(true) }) }, async (req) => {
    await signatures.removeTrust(actorOf(req), req.params.id);
    return { ok: true as const };
  });
  route(app, { method: 'GET', url: '/api/signing/ca/:algorithm', access: 'public', summary: "The department CA certificate (PEM), to check signatures offline", tags, params: z.object({ algorithm: z.enum(['rsa', 'sm2']) }) }, async (req, reply) =>
    reply.type('application/x-pem-file').send(await signatures.caCertificatePem(req.params.algorithm)),
  );
}
