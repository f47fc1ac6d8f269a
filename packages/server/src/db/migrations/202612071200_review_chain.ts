import { type Kysely, sql } from 'kysely';

// Frozen in time: this file must not import application code, and it is never edited after release.

const statements = [
  // 规培/进修医师: drafts and writes reports like a reporting physician but approves nothing. The default review chain
  // sends their reports to a third level (科主任). A lab that already made its own role with this code keeps it.
  `insert into role (code, name, name_en, description, builtin, administrative)
     values ('trainee', '规培/进修医师', 'Trainee physician', '起草和修改报告，不能审核；其报告按审核流程可增加科主任审核', true, false)
     on conflict (code) do nothing`,
  `insert into role_permission (role_id, permission)
     select r.id, p.permission from role r
       cross join (values ('exam.read'), ('calibration.read'), ('report.draft'), ('report.write'), ('report.print'), ('trend.read')) as p (permission)
      where r.code = 'trainee' and r.builtin
     on conflict do nothing`,

  // An edit of the content while a version is under review is a step of that review (four-eyes: its author may not
  // give the final approval).
  `alter table review_step drop constraint review_step_action_check`,
  `alter table review_step add constraint review_step_action_check
     check (action in ('submit', 'approve', 'return', 'correct', 'print', 'revoke', 'edit'))`,
  // One approval per level and submission, whatever writes it.
  `create unique index review_step_one_approval on review_step (report_id, version, submission, level) where action = 'approve'`,

  // The lab's four-eyes setting as the application reads it (on unless the stored policy says false).
  `create function review_four_eyes() returns boolean language sql stable as $$
     select coalesce((select (value->>'fourEyes')::boolean from setting
                       where key = 'review.policy' and jsonb_typeof(value->'fourEyes') = 'boolean'), true)
   $$`,

  // Every approval names its approver, who holds the level's permission, and comes in chain order for the version's
  // current submission; under four-eyes it is not by the submitter or an earlier approver, and the final one is not by
  // someone who edited the content during this review.
  `create function review_step_guard() returns trigger language plpgsql as $$
   declare
     v record;
     needed text;
   begin
     if new.action <> 'approve' then
       return new;
     end if;
     if new.actor_id is null then
       raise exception 'a review approval must name its approver';
     end if;
     select status, submission, chain, approved_levels, submitted_by into v
       from report_version where report_id = new.report_id and version = new.version;
     if v.status is distinct from 'pending' or new.submission is distinct from v.submission then
       raise exception 'report % version % is not under review in submission %', new.report_id, new.version, new.submission;
     end if;
     if new.level is distinct from v.approved_levels + 1 or new.level > jsonb_array_length(v.chain) then
       raise exception 'report % version % awaits approval at level %, not %', new.report_id, new.version, v.approved_levels + 1, new.level;
     end if;
     needed := v.chain -> (new.level - 1) ->> 'permission';
     if not exists (
       select 1 from app_user u
         join user_role ur on ur.user_id = u.id
         join role_permission rp on rp.role_id = ur.role_id
        where u.id = new.actor_id and not u.disabled and rp.permission = needed) then
       raise exception 'the approver of report % level % lacks %', new.report_id, new.level, needed;
     end if;
     if review_four_eyes() then
       if new.actor_id = v.submitted_by or exists (
         select 1 from review_step s
          where s.report_id = new.report_id and s.version = new.version and s.submission = new.submission
            and s.action = 'approve' and s.actor_id = new.actor_id) then
         raise exception 'four-eyes: the submitter or an earlier approver may not approve report % again', new.report_id;
       end if;
       if new.level = jsonb_array_length(v.chain) and exists (
         select 1 from review_step s
          where s.report_id = new.report_id and s.version = new.version and s.submission = new.submission
            and s.action = 'edit' and s.actor_id = new.actor_id) then
         raise exception 'four-eyes: whoever edited report % under review may not give its final approval', new.report_id;
       end if;
     end if;
     return new;
   end $$`,
  `create trigger review_step_guard before insert on review_step
     for each row execute function review_step_guard()`,

  // The approvals a pending version has in its current submission, checked again as a whole (rows written before
  // review_step_guard existed included): each names an approver, they come in level order 1..k in the order they
  // were written, and under four-eyes they are by k different people none of whom submitted it, the last level's not
  // by an editor. Returns k, or raises.
  `create function review_approvals(p_report uuid, p_version integer, p_submission integer, p_chain jsonb, p_submitted_by uuid)
   returns integer language plpgsql stable as $$
   declare
     k integer;
     in_order boolean;
     actors integer;
     nameless integer;
     by_submitter integer;
     last_by_editor boolean;
   begin
     select count(*), coalesce(bool_and(coalesce(level, 0) = rn), true), count(distinct actor_id), count(*) - count(actor_id),
            count(*) filter (where actor_id = p_submitted_by)
       into k, in_order, actors, nameless, by_submitter
       from (select level, actor_id, row_number() over (order by id) as rn from review_step
              where report_id = p_report and version = p_version and submission = p_submission and action = 'approve') a;
     if nameless > 0 then
       raise exception 'report % version % has an approval that names no approver', p_report, p_version;
     end if;
     if not in_order or k > jsonb_array_length(p_chain) then
       raise exception 'report % version % has approvals out of the order of its chain', p_report, p_version;
     end if;
     if review_four_eyes() then
       select exists (
         select 1 from review_step a join review_step e
             on e.report_id = a.report_id and e.version = a.version and e.submission = a.submission and e.action = 'edit' and e.actor_id = a.actor_id
          where a.report_id = p_report and a.version = p_version and a.submission = p_submission and a.action = 'approve'
            and a.level = jsonb_array_length(p_chain)) into last_by_editor;
       if actors < k or by_submitter > 0 or last_by_editor then
         raise exception 'four-eyes: report % version % is not approved by enough different people', p_report, p_version;
       end if;
     end if;
     return k;
   end $$`,

  // report_version_guard as before, and: a submission's chain and identity are fixed while it is under review; a
  // submitted chain is well formed; the approved-level count of a pending version is its recorded approvals; and a
  // version is approved only with every level approved as review_approvals checks.
  `create or replace function report_version_guard() returns trigger language plpgsql as $$
   declare
     approvals integer;
     levels integer;
   begin
     if tg_op = 'DELETE' then
       raise exception 'report versions are never deleted';
     end if;
     if tg_op = 'INSERT' then
       if new.status <> 'draft' then
         raise exception 'a report version starts as a draft';
       end if;
       return new;
     end if;
     if old.status in ('approved', 'superseded', 'revoked') then
       if (to_jsonb(new) - 'status' - 'print_count' - 'updated_at' - 'revoked_at' - 'revocation_reason')
            <> (to_jsonb(old) - 'status' - 'print_count' - 'updated_at' - 'revoked_at' - 'revocation_reason')
          or (old.status in ('superseded', 'revoked') and new.status <> old.status)
          or (old.status = 'approved' and new.status not in ('approved', 'superseded', 'revoked'))
          or (old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at) then
         raise exception 'an approved report version is locked; a correction is a new version';
       end if;
       return new;
     end if;
     if old.status = 'pending' and (new.chain is distinct from old.chain or new.submission is distinct from old.submission
          or new.submitted_by is distinct from old.submitted_by or new.submitted_at is distinct from old.submitted_at) then
       raise exception 'the review chain and submission of report % version % are fixed while it is under review', new.report_id, new.version;
     end if;
     levels := jsonb_array_length(new.chain);
     if new.status = 'pending' and old.status <> 'pending' then
       if new.submission <= old.submission or new.submitted_by is null or new.submitted_at is null or new.approved_levels <> 0 then
         raise exception 'report % version % is not submitted as a new submission', new.report_id, new.version;
       end if;
       if levels < 1 or levels > 3 or exists (
         select 1 from jsonb_array_elements(new.chain) with ordinality as c (lvl, i)
          where jsonb_typeof(c.lvl) <> 'object' or (c.lvl->>'level') is distinct from i::text
             or coalesce(c.lvl->>'permission', '') not in ('report.approve.level1', 'report.approve.level2', 'report.approve.level3')) then
         raise exception 'report % version % is submitted with a malformed review chain', new.report_id, new.version;
       end if;
     end if;
     if new.status = 'pending' and new.approved_levels is distinct from old.approved_levels and old.status = 'pending' then
       approvals := review_approvals(new.report_id, new.version, new.submission, new.chain, new.submitted_by);
       if new.approved_levels <> approvals then
         raise exception 'report % version % has % recorded approvals, not %', new.report_id, new.version, approvals, new.approved_levels;
       end if;
     end if;
     if new.status in ('approved', 'superseded', 'revoked') then
       if old.status <> 'pending' or new.status <> 'approved' then
         raise exception 'only a report under review can be approved';
       end if;
       approvals := review_approvals(new.report_id, new.version, new.submission, new.chain, new.submitted_by);
       if approvals < levels or levels < 1 then
         raise exception 'report % version % has % of % review approvals', new.report_id, new.version, approvals, levels;
       end if;
     end if;
     return new;
   end $$`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
