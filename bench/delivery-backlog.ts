// Helper for bench/delivery.bench.ts: a backlog of approved report versions, cloned in SQL from a few reports
// approved through the services (the real path, about 0.3 s each), past the report_version and review_step guards
// honestly: each clone is inserted as a draft, submitted, given its source's approvals level by level, then approved.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../packages/server/src/db/types.ts';

export interface BacklogReport {
  reportId: string;
  version: number;
  campusId: string;
  requestNo: string;
  accessionNo: string;
  /** The report approved through the services that this one was cloned from (same PDF, content and review). */
  sourceReportId: string;
}

/**
 * Clones `count` approved versions from `sources` (round robin): a new exam (own accession and request numbers,
 * same patient), a new report, version 1 inserted as a draft, then pending, the source's review steps copied, then
 * approved with the source's final PDF hashes (the file store is content-addressed, so the signed PDF is shared) and
 * a verification code of its own. Every row is copied column by column through jsonb, so the clone follows the
 * schema as it is.
 */
export async function cloneApprovedReports(db: Kysely<DB>, sources: string[], count: number, prefix: string): Promise<BacklogReport[]> {
  return db.transaction().execute(async (trx) => {
    await sql`create temp table bench_clone (n integer primary key, source_report uuid not null, source_exam uuid not null, report_id uuid not null, exam_id uuid not null, request_no text not null, accession_no text not null) on commit drop`.execute(trx);
    await sql`
      insert into bench_clone
      select g, r.id, r.exam_id, gen_random_uuid(), gen_random_uuid(), ${prefix} || lpad(g::text, 6, '0'), ${prefix} || 'A' || lpad(g::text, 6, '0')
      from generate_series(1, ${count}::int) g
      join (select id, exam_id, row_number() over (order by id) - 1 as k from report where id = any(${sources}::uuid[])) r on r.k = (g - 1) % ${sources.length}::int
    `.execute(trx);
    await sql`
      insert into exam
      select (jsonb_populate_record(null::exam, to_jsonb(e) || jsonb_build_object('id', c.exam_id, 'accession_no', c.accession_no, 'request_no', c.request_no, 'status', 'approved'))).*
      from bench_clone c join exam e on e.id = c.source_exam
    `.execute(trx);
    await sql`
      insert into report
      select (jsonb_populate_record(null::report, to_jsonb(r) || jsonb_build_object('id', c.report_id, 'exam_id', c.exam_id, 'current_version', 1))).*
      from bench_clone c join report r on r.id = c.source_report
    `.execute(trx);
    // As a draft, before its submission: the guard lets nothing else be inserted.
    await sql`
      insert into report_version
      select (jsonb_populate_record(null::report_version, to_jsonb(v) || jsonb_build_object(
        'report_id', c.report_id, 'status', 'draft', 'final_sha256', null, 'final_sm3', null, 'verification_code', null, 'approved_at', null,
        'submission', v.submission - 1, 'approved_levels', 0, 'submitted_by', null, 'submitted_at', null))).*
      from bench_clone c join report_version v on v.report_id = c.source_report and v.version = 1
    `.execute(trx);
    // Submitted as the source was (a new submission, its chain).
    await sql`
      update report_version v set status = 'pending', submission = s.submission, submitted_by = s.submitted_by, submitted_at = s.submitted_at
      from bench_clone c join report_version s on s.report_id = c.source_report and s.version = 1
      where v.report_id = c.report_id and v.version = 1
    `.execute(trx);
    await sql`
      insert into review_step (report_id, version, submission, action, level, actor_id, actor_name, comment, at)
      select c.report_id, s.version, s.submission, s.action, s.level, s.actor_id, s.actor_name, s.comment, s.at
      from bench_clone c join review_step s on s.report_id = c.source_report and s.version = 1 and s.action <> 'approve'
      order by c.n, s.id
    `.execute(trx);
    // The source's approvals level by level, as review_step_guard takes them: each at the level the version awaits.
    for (const level of [1, 2, 3]) {
      await sql`
        insert into review_step (report_id, version, submission, action, level, actor_id, actor_name, comment, at)
        select c.report_id, s.version, s.submission, s.action, s.level, s.actor_id, s.actor_name, s.comment, s.at
        from bench_clone c join report_version v on v.report_id = c.source_report and v.version = 1
          join review_step s on s.report_id = c.source_report and s.version = 1 and s.submission = v.submission and s.action = 'approve' and s.level = ${level}::int
        order by c.n
      `.execute(trx);
      await sql`
        update report_version v set approved_levels = ${level}::int
        from bench_clone c where v.report_id = c.report_id and v.version = 1 and jsonb_array_length(v.chain) > ${level}::int
      `.execute(trx);
    }
    // The guard checks one approval per level of the chain in this submission before it lets the version be approved.
    await sql`
      update report_version v set status = 'approved', approved_levels = s.approved_levels, final_sha256 = s.final_sha256, final_sm3 = s.final_sm3, approved_at = s.approved_at,
        verification_code = substr(md5(c.report_id::text), 1, 12) || 'B' || c.n
      from bench_clone c join report_version s on s.report_id = c.source_report and s.version = 1
      where v.report_id = c.report_id and v.version = 1
    `.execute(trx);
    const rows = await sql<{ reportId: string; campusId: string; requestNo: string; accessionNo: string; sourceReportId: string }>`
      select c.report_id, r.campus_id, c.request_no, c.accession_no, c.source_report as source_report_id from bench_clone c join report r on r.id = c.report_id order by c.n
    `.execute(trx);
    return rows.rows.map((r) => ({ ...r, version: 1 }));
  });
}
