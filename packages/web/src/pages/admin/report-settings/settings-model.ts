import type { ReviewLevelCondition, ReviewPolicy, ReviewPolicyLevel } from './api.ts';

/** One entry of an ordered, switchable list (report sections, results-table columns). */
export interface OrderedChoice<K extends string> {
  key: K;
  shown: boolean;
}

/** The saved keys first, in their order, then every other known key (hidden) in the default order. */
export function toChoices<K extends string>(all: readonly K[], chosen: readonly K[]): Array<OrderedChoice<K>> {
  const known = chosen.filter((key, i) => all.includes(key) && chosen.indexOf(key) === i);
  return [...known.map((key) => ({ key, shown: true })), ...all.filter((key) => !known.includes(key)).map((key) => ({ key, shown: false }))];
}

/** The shown keys, in list order: what the server stores. */
export function fromChoices<K extends string>(choices: ReadonlyArray<OrderedChoice<K>>): K[] {
  return choices.filter((c) => c.shown).map((c) => c.key);
}

/** A copy with the item at `index` moved by `delta` places; unchanged when that would leave the list. */
export function moveItem<T>(list: readonly T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length || delta === 0) return [...list];
  const next = [...list];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item as T);
  return next;
}

export const LOGO_MAX_BYTES = 500 * 1024;
export const LOGO_TYPES = ['image/png', 'image/jpeg'];

/** Why a file cannot be a report logo, or null when it can. */
export function logoProblem(file: { type: string; size: number }): 'type' | 'size' | null {
  if (!LOGO_TYPES.includes(file.type)) return 'type';
  if (file.size > LOGO_MAX_BYTES) return 'size';
  return null;
}

export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** One level as the form edits it: the conditions flattened into fields. */
export interface LevelForm {
  name: string;
  nameEn: string;
  permission: ReviewPolicyLevel['permission'];
  abnormal: boolean;
  child: boolean;
  ageBelow: number | null;
  authorRoles: string[];
}

export interface PolicyForm {
  levels: LevelForm[];
  fourEyes: boolean;
  pinOnPrint: boolean;
}

export const DEFAULT_CHILD_AGE = 14;

export function levelToForm(level: ReviewPolicyLevel): LevelForm {
  const when = level.when ?? {};
  return {
    name: level.name,
    nameEn: level.nameEn,
    permission: level.permission,
    abnormal: when.abnormal === true,
    child: when.ageBelow !== undefined,
    ageBelow: when.ageBelow ?? null,
    authorRoles: when.authorRoles ?? [],
  };
}

/**
 * The level as the server stores it. A level without any condition has no `when` at all: it applies to every report
 * (the server also stores an empty `when` as none).
 */
export function formToLevel(form: LevelForm): ReviewPolicyLevel {
  const when: ReviewLevelCondition = {};
  if (form.abnormal) when.abnormal = true;
  if (form.child && form.ageBelow !== null && form.ageBelow !== undefined) when.ageBelow = form.ageBelow;
  const roles = [...new Set((form.authorRoles ?? []).map((r) => r.trim()).filter(Boolean))];
  if (roles.length) when.authorRoles = roles;
  const level: ReviewPolicyLevel = { name: form.name.trim(), nameEn: form.nameEn.trim(), permission: form.permission };
  return Object.keys(when).length ? { ...level, when } : level;
}

export function policyToForm(policy: ReviewPolicy): PolicyForm {
  return { levels: policy.levels.map(levelToForm), fourEyes: policy.fourEyes, pinOnPrint: policy.pinOnPrint };
}

export function formToPolicy(form: PolicyForm): ReviewPolicy {
  return { levels: form.levels.map(formToLevel), fourEyes: form.fourEyes, pinOnPrint: form.pinOnPrint };
}

export function isConditional(level: LevelForm): boolean {
  return formToLevel(level).when !== undefined;
}

/** A new level for the end of the chain: the next approve permission, no conditions. */
export function newLevel(levels: readonly LevelForm[]): LevelForm {
  const n = Math.min(levels.length + 1, 3) as 1 | 2 | 3;
  return { name: '', nameEn: '', permission: `report.approve.level${n}`, abnormal: false, child: false, ageBelow: null, authorRoles: [] };
}
