/**
 * Chinese names are written surname first with no separator, so "family" and "given" cannot be read off a space.
 * Writers put the whole name in the family-name slot by default; splitting is an option because a two-character
 * surname outside the list below, or a double-barrelled one (张王某), is split wrongly.
 */

/** Common compound surnames (复姓). Anything else is taken as a one-character surname. */
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯',
  '轩辕', '令狐', '钟离', '端木', '独孤', '南宫', '西门', '百里', '呼延', '澹台', '公冶', '太史', '申屠',
  '闻人', '万俟', '赫连', '濮阳', '拓跋', '第五', '东郭', '左丘', '仲孙', '司空', '单于', '淳于',
]);

const HAN = /\p{Script=Han}/u;

export function containsHan(text: string): boolean {
  return HAN.test(text);
}

export type NameSplit = 'whole-name-as-family' | 'split-chinese-surname';

export interface SplitName {
  family: string;
  given: string;
}

/**
 * 'whole-name-as-family': 张三丰 → family 张三丰, given ''.
 * 'split-chinese-surname': 张三丰 → 张 / 三丰, 欧阳娜娜 → 欧阳 / 娜娜; names without Han characters stay whole.
 */
export function splitPersonName(name: string, mode: NameSplit): SplitName {
  const trimmed = name.trim();
  if (mode === 'whole-name-as-family' || !containsHan(trimmed)) return { family: trimmed, given: '' };
  const characters = [...trimmed];
  if (characters.length < 2) return { family: trimmed, given: '' };
  const surnameLength = characters.length >= 3 && COMPOUND_SURNAMES.has(characters.slice(0, 2).join('')) ? 2 : 1;
  return {
    family: characters.slice(0, surnameLength).join(''),
    given: characters.slice(surnameLength).join(''),
  };
}
