import iconv from 'iconv-lite';
import { localDateTimeParts } from '@pftis/formats/worklist/local-time';

// The demo device's daily volume verification, exported the way spirometer software exports its calibration log:
// a 3-L syringe emptied at a low, a middle and a high flow (ATS/ERS 2019: 0.5 to 12 L/s), one row per stroke.
// Devices set up for GBK write Chinese headers, tab-separated; the others an English CSV in UTF-8 with BOM.
// Deterministic per device and day; about one day in eight a stroke reads more than 3 % off.

export interface CalibrationLogOptions {
  encoding: 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';
  syringeSerial?: string;
  operator?: string;
}

function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const seedOf = (text: string) => [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 11);

/** The day's check: when (Beijing wall clock, never later than `at`) and the three strokes. */
export function dailyCheck(deviceKey: string, at: Date) {
  const p = localDateTimeParts(at);
  const day = `${p.year}-${p.month}-${p.day}`;
  const next = random(seedOf(`${deviceKey}:${day}`));
  // Done before the first patient, between 07:30 and 07:59, or right now if the day is younger than that.
  const minute = 30 + Math.floor(next() * 30);
  const planned = `07:${String(minute).padStart(2, '0')}:00`;
  const nowTime = `${p.hour}:${p.minute}:00`;
  const time = nowTime < planned ? nowTime : planned;
  const failing = next() < 0.125;
  const bad = Math.floor(next() * 3);
  const strokes = [0.5, 3, 10].map((target, i) => {
    const flowLps = Number((target * (0.9 + 0.2 * next())).toFixed(2));
    const errorPct = failing && i === bad ? (next() < 0.5 ? -1 : 1) * (3.2 + next() * 1.5) : (next() - 0.5) * 3;
    return { flowLps, measuredL: Number((3 * (1 + errorPct / 100)).toFixed(3)) };
  });
  return { day, time, temperatureC: Number((20 + next() * 5).toFixed(1)), pressureKpa: Number((100.2 + next() * 1.6).toFixed(1)), humidityPct: Math.round(35 + next() * 25), strokes };
}

/** The export file of the day's check, and its name. */
export function calibrationLogFile(deviceKey: string, at: Date, options: CalibrationLogOptions): { name: string; bytes: Uint8Array } {
  const check = dailyCheck(deviceKey, at);
  const serial = options.syringeSerial ?? 'SYR-3L-0815';
  const name = `CAL_${check.day.replaceAll('-', '')}.${options.encoding === 'gbk' || options.encoding === 'gb18030' ? 'txt' : 'csv'}`;
  const errorOf = (measuredL: number) => ((100 * (measuredL - 3)) / 3).toFixed(2);
  if (options.encoding === 'gbk' || options.encoding === 'gb18030') {
    const operator = options.operator ?? '张敏';
    const lines = [
      '肺功能仪容积校准验证记录',
      `定标筒编号：${serial}`,
      '',
      ['日期', '时间', '类型', '定标筒容积(L)', '流速(L/s)', '实测容积(L)', '误差%', '温度(℃)', '大气压(kPa)', '湿度(%)', '操作者'].join('\t'),
      ...check.strokes.map((s) => [check.day.replaceAll('-', '/'), check.time, '容积验证', '3.00', s.flowLps.toFixed(2), s.measuredL.toFixed(3), errorOf(s.measuredL), check.temperatureC.toFixed(1), check.pressureKpa.toFixed(1), check.humidityPct, operator].join('\t')),
    ];
    return { name, bytes: new Uint8Array(iconv.encode(`${lines.join('\r\n')}\r\n`, options.encoding)) };
  }
  const operator = options.operator ?? 'Zhang Min';
  const lines = [
    'Date,Time,Type,Syringe volume (L),Syringe S/N,Flow (L/s),Measured volume (L),Error (%),Temperature (°C),Pressure (hPa),Humidity (%),Operator',
    ...check.strokes.map((s) => [check.day, check.time, 'Verification', '3.00', serial, s.flowLps.toFixed(2), s.measuredL.toFixed(3), errorOf(s.measuredL), check.temperatureC.toFixed(1), (check.pressureKpa * 10).toFixed(0), check.humidityPct, operator].join(',')),
  ];
  return { name, bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`${lines.join('\r\n')}\r\n`)]) };
}
