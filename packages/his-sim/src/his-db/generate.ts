import { randomPerson } from '../people.js';
import { type Random, seededRandom } from '../random.js';
import { pftItems } from './schema.js';

export interface HisRows {
  HIS_BRXX: Array<Record<string, unknown>>;
  HIS_JZK: Array<Record<string, unknown>>;
  HIS_JZJL: Array<Record<string, unknown>>;
  HIS_JCSQ: Array<Record<string, unknown>>;
}

const DEPARTMENTS = ['呼吸与危重症医学科', '胸外科', '心内科', '老年医学科', '儿科', '职业病科', '体检中心', '麻醉科'];
const DOCTORS = ['赵建国', '钱丽华', '孙志强', '周晓明', '吴海燕', '郑德福', '冯淑珍', '陈俊杰'];
const DIAGNOSES = ['慢性阻塞性肺疾病', '支气管哮喘', '咳嗽待查', '间质性肺疾病', '肺结节术前评估', '胸闷待查', '尘肺观察', '支气管扩张', '健康体检'];
const WARDS = ['呼吸一病区', '呼吸二病区', '胸外科病区', '老年病区'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateTime = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const ymd = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;

/** The calendar day in Beijing (UTC+8) at the given instant, as midnight UTC of that date. */
export function beijingDay(at: Date): Date {
  const shifted = new Date(at.getTime() + 8 * 3_600_000);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()));
}

/** Today's orders for existing patients (the demo adds a new day's work each morning). */
export function generateDayOrders(o: { patients: number[]; today: Date; seed?: number; labCodes?: string[] }): Pick<HisRows, 'HIS_JZJL' | 'HIS_JCSQ'> {
  const rows: HisRows = { HIS_BRXX: [], HIS_JZK: [], HIS_JZJL: [], HIS_JCSQ: [] };
  const day = Math.floor(o.today.getTime() / 86_400_000);
  for (const n of o.patients) {
    const r = seededRandom((o.seed ?? 20261125) ^ Math.imul(n, 2654435761) ^ Math.imul(day, 40503));
    addOrder(rows, r, { n, k: 0, brid: `P${pad(n, 8)}`, when: atBeijing(o.today, r.int(7, 15), r.int(0, 59)), inpatient: r.chance(0.2), lab: r.pick(o.labCodes ?? ['PFT-MAIN', 'PFT-EAST']), pending: true });
  }
  return { HIS_JZJL: rows.HIS_JZJL, HIS_JCSQ: rows.HIS_JCSQ };
}

export interface GenerateOptions {
  /** First patient number (so batches can be generated and loaded one after another). */
  from: number;
  count: number;
  /** The day whose orders are "today's"; times are Beijing wall-clock times stored as naive datetimes. */
  today: Date;
  /** Share of patients with a pending PFT order today. */
  todayShare?: number;
  /** Extra historical orders per patient (for volume tests). */
  historicalOrders?: number;
  seed?: number;
  /** Executing department code (执行科室) of the PFT lab; campuses differ. */
  labCodes?: string[];
}

/**
 * Patients 1..n with cards, visits and PFT orders. Deterministic per (seed, patient number), so a batch
 * can be regenerated and the demo is the same everywhere. Numbers encode the patient: BRID P00000042,
 * card 9000000042, 门诊号 MZ00000042, 住院号 ZY00000042.
 */
export function generateHisRows(o: GenerateOptions): HisRows {
  const rows: HisRows = { HIS_BRXX: [], HIS_JZK: [], HIS_JZJL: [], HIS_JCSQ: [] };
  const labs = o.labCodes ?? ['PFT-MAIN', 'PFT-EAST'];
  for (let n = o.from; n < o.from + o.count; n++) {
    const r = seededRandom((o.seed ?? 20261125) ^ Math.imul(n, 2654435761));
    const person = randomPerson(r, o.today);
    const brid = `P${pad(n, 8)}`;
    const inpatient = r.chance(0.25);
    rows.HIS_BRXX.push({
      BRID: brid,
      XM: person.name,
      XB: person.sex === 'male' ? '1' : '2',
      CSRQ: person.birthDate,
      SFZH: r.chance(0.95) ? person.idNumber : null,
      LXDH: person.phone,
      JTDZ: person.address,
      MZH: `MZ${pad(n, 8)}`,
      ZYH: inpatient ? `ZY${pad(n, 8)}` : null,
    });
    rows.HIS_JZK.push({ JZKH: `9${pad(n, 9)}`, BRID: brid, KLX: '就诊卡' });
    if (r.chance(0.3)) rows.HIS_JZK.push({ JZKH: `Y${pad(n, 9)}`, BRID: brid, KLX: '医保卡' });

    const orders = (o.historicalOrders ?? 0) + (r.next() < (o.todayShare ?? 1) ? 1 : 0);
    for (let k = 0; k < orders; k++) {
      const isToday = k === orders - 1 && orders > (o.historicalOrders ?? 0);
      const when = isToday ? atBeijing(o.today, r.int(7, 15), r.int(0, 59)) : new Date(o.today.getTime() - r.int(30, 3650) * 86_400_000);
      addOrder(rows, r, { n, k, brid, when, inpatient: inpatient && isToday, lab: r.pick(labs), pending: isToday });
    }
  }
  return rows;
}

function addOrder(rows: HisRows, r: Random, o: { n: number; k: number; brid: string; when: Date; inpatient: boolean; lab: string; pending: boolean }) {
  const visitType = o.inpatient ? '住院' : r.chance(0.05) ? '急诊' : r.chance(0.05) ? '体检' : '门诊';
  const serial = `${o.inpatient ? 'ZL' : 'ML'}${ymd(o.when)}${pad(o.n, 8)}${pad(o.k, 2)}`;
  rows.HIS_JZJL.push({
    JZLSH: serial,
    BRID: o.brid,
    JZLB: visitType,
    JZSJ: dateTime(o.when),
    BQ: o.inpatient ? r.pick(WARDS) : null,
    CH: o.inpatient ? `${r.int(1, 60)}床` : null,
  });
  // Usually spirometry; often with a bronchodilator test or diffusion on the same visit, each its own 申请单.
  const items = [pftItems[0]!, ...(r.chance(0.35) ? [pftItems[1]!] : []), ...(r.chance(0.2) ? [pftItems[2]!] : []), ...(r.chance(0.05) ? [pftItems[r.int(3, 4)]!] : [])];
  items.forEach((item, i) => {
    rows.HIS_JCSQ.push({
      SQDH: `SQ${ymd(o.when)}${pad(o.n, 8)}${pad(o.k, 2)}${i}`,
      BRID: o.brid,
      JZLSH: serial,
      XMDM: item.code,
      XMMC: item.name,
      SQKS: r.pick(DEPARTMENTS),
      SQYS: r.pick(DOCTORS),
      LCZD: r.pick(DIAGNOSES),
      SQSJ: dateTime(new Date(o.when.getTime() - r.int(10, 600) * 60_000)),
      ZXKS: o.lab,
      ZT: o.pending ? '0' : '3',
      SG: r.chance(0.6) ? Math.round((150 + r.next() * 35) * 10) / 10 : null,
      TZ: r.chance(0.6) ? Math.round((45 + r.next() * 45) * 10) / 10 : null,
      GXSJ: null,
    });
  });
}

/** A wall-clock time in Beijing (UTC+8) on the given day, as the naive datetime a HIS stores. */
function atBeijing(day: Date, hour: number, minute: number): Date {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute));
}
