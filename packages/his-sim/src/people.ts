import type { Random } from './random.js';

// Invented people for the demo hospital. Identity numbers follow GB 11643-1999 (region, birth date,
// sequence with the sex in its last digit, ISO 7064 MOD 11-2 check character) but belong to nobody.

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文欧阳司马';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文博宇浩然子涵欣怡梓轩雨桐思远嘉怡俊杰晓明海燕红梅德福春花玉兰淑珍堃昇玥喆赟旻祎珺彧煜琰翀嬿镕淼犇';
const REGIONS = [
  ['110101', '北京市东城区'],
  ['310104', '上海市徐汇区'],
  ['320102', '南京市玄武区'],
  ['330106', '杭州市西湖区'],
  ['420106', '武汉市武昌区'],
  ['440106', '广州市天河区'],
  ['510107', '成都市武侯区'],
  ['610113', '西安市雁塔区'],
] as const;
const ROADS = ['人民路', '解放路', '中山路', '建设路', '和平街', '长江路', '健康路', '文化路', '幸福大道', '东城大道'];

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckCharacter(id.slice(0, 17)) === id[17];
}

export type Sex = 'male' | 'female';

export interface Person {
  name: string;
  sex: Sex;
  birthDate: string;
  idNumber: string;
  phone: string;
  address: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function randomPerson(r: Random, today: Date): Person {
  const sex: Sex = r.chance(0.5) ? 'male' : 'female';
  const surname = r.chance(0.03) ? r.pick(['欧阳', '司马', '诸葛', '上官']) : r.pick([...SURNAMES.slice(0, 100)]);
  const given = Array.from({ length: r.chance(0.7) ? 2 : 1 }, () => r.pick([...GIVEN])).join('');
  // Ages 5–90, weighted towards the adults a lung-function lab sees most.
  const age = r.chance(0.08) ? r.int(5, 17) : r.int(18, 90);
  const birth = new Date(Date.UTC(today.getUTCFullYear() - age, r.int(0, 11), r.int(1, 28)));
  const birthDate = `${birth.getUTCFullYear()}-${pad(birth.getUTCMonth() + 1)}-${pad(birth.getUTCDate())}`;
  const [regionCode, regionName] = r.pick(REGIONS);
  const sequence = r.int(0, 99) * 10 + (sex === 'male' ? r.pick([1, 3, 5, 7, 9]) : r.pick([0, 2, 4, 6, 8]));
  const first17 = `${regionCode}${birthDate.replaceAll('-', '')}${pad(sequence, 3)}`;
  return {
    name: surname + given,
    sex,
    birthDate,
    idNumber: first17 + idCheckCharacter(first17),
    phone: `1${r.pick(['3', '5', '7', '8', '9'])}${pad(r.int(0, 999_999_999), 9)}`,
    address: `${regionName}${r.pick(ROADS)}${r.int(1, 300)}号${r.int(1, 30)}栋${r.int(101, 2505)}室`,
  };
}
