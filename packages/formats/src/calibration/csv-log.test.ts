import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { looksLikeCalibrationLog, readCalibrationLog, readNumber } from './csv-log.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const withBom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
const gbk = (text: string) => new Uint8Array(iconv.encode(text, 'gbk'));

function read(bytes: Uint8Array, options?: Parameters<typeof readCalibrationLog>[1]) {
  const result = readCalibrationLog(bytes, options);
  if (!result.ok) throw new Error(`expected a log, got: ${result.reason}`);
  return result.value;
}

describe('readNumber', () => {
  it('reads points, commas, signs, units and thousands', () => {
    expect(readNumber('2.98')).toBe(2.98);
    expect(readNumber('2,98')).toBe(2.98);
    expect(readNumber('+1.3 %')).toBe(1.3);
    expect(readNumber('-0,67%')).toBe(-0.67);
    expect(readNumber('1.013,2')).toBe(1013.2);
    expect(readNumber('1,013.2')).toBe(1013.2);
    expect(readNumber('3.00 L')).toBe(3);
    expect(readNumber('—')).toBeNull();
    expect(readNumber('n/a')).toBeNull();
    expect(readNumber('1.2.3')).toBeNull();
  });
});

describe('readCalibrationLog', () => {
  it('reads an English CSV (UTF-8 with BOM) with one row per stroke, strokes of a check sharing their time', () => {
    const log = read(
      withBom(
        [
          'Date,Time,Type,Syringe volume (L),Syringe S/N,Flow (L/s),Measured volume (L),Error (%),Temperature (°C),Pressure (hPa),Humidity (%),Operator,Result',
          '2026-12-07,08:02:10,Verification,3.00,SY-3L-0042,0.52,2.97,-1.00,22.5,1012.4,41,Li Na,PASS',
          '2026-12-07,08:02:10,Verification,3.00,SY-3L-0042,3.05,3.01,0.33,22.5,1012.4,41,Li Na,PASS',
          '2026-12-07,08:02:10,Verification,3.00,SY-3L-0042,9.80,3.04,1.33,22.5,1012.4,41,Li Na,PASS',
          '2026-12-08,08:05:44,Verification,3.00,SY-3L-0042,0.48,2.89,-3.67,23.1,1009.8,45,Wang Fang,FAIL',
          '2026-12-08,08:05:44,Verification,3.00,SY-3L-0042,2.95,2.98,-0.67,23.1,1009.8,45,Wang Fang,FAIL',
          '2026-12-08,08:05:44,Verification,3.00,SY-3L-0042,10.2,3.02,0.67,23.1,1009.8,45,Wang Fang,FAIL',
          '',
        ].join('\r\n'),
      ),
    );
    expect(log).toMatchObject({ encoding: 'utf-8', delimiter: ',', headerRow: 1, warnings: [] });
    expect(log.columns).toMatchObject({ measuredVolume: 'Measured volume (L)', errorPct: 'Error (%)', syringeSerial: 'Syringe S/N' });
    expect(log.checks).toHaveLength(2);
    expect(log.checks[0]).toEqual({
      performedAt: '2026-12-07T08:02:10',
      kind: 'volume_check',
      syringeVolumeL: 3,
      syringeSerial: 'SY-3L-0042',
      temperatureC: 22.5,
      pressureHpa: 1012.4,
      humidityPct: 41,
      operator: 'Li Na',
      deviceVerdict: 'pass',
      injections: [
        { row: 2, flowLps: 0.52, expectedL: null, measuredL: 2.97, deviceErrorPct: -1 },
        { row: 3, flowLps: 3.05, expectedL: null, measuredL: 3.01, deviceErrorPct: 0.33 },
        { row: 4, flowLps: 9.8, expectedL: null, measuredL: 3.04, deviceErrorPct: 1.33 },
      ],
    });
    expect(log.checks[1]).toMatchObject({ performedAt: '2026-12-08T08:05:44', deviceVerdict: 'fail', operator: 'Wang Fang', injections: [{ measuredL: 2.89 }, { measuredL: 2.98 }, { measuredL: 3.02 }] });
  });

  it('reads semicolons with decimal commas, day-first dotted dates, kPa, and one time per stroke', () => {
    const log = read(
      utf8(
        [
          'Spirometer;SpiroLab X;SN 123456',
          'Calibration log',
          '',
          'Date;Time;Mode;Syringe (L);Flow (L/s);Volume (L);Deviation (%);Temp (°C);Pressure (kPa);RH (%)',
          '07.12.2026;08:01:05;Calibration;3,00;0,51;2,985;-0,50;21,8;101,2;38',
          '07.12.2026;08:01:19;Calibration;3,00;2,97;3,012;0,40;21,8;101,2;38',
          '07.12.2026;08:01:31;Calibration;3,00;8,75;3,020;0,67;21,8;101,2;38',
          // A retest ten minutes later is a check of its own.
          '07.12.2026;08:11:02;Verification;3,00;0,55;2,990;-0,33;21,9;101,2;38',
          '07.12.2026;08:11:15;Verification;3,00;3,10;3,001;0,03;21,9;101,2;38',
          '07.12.2026;08:11:29;Verification;3,00;9,02;3,008;0,27;21,9;101,2;38',
        ].join('\n'),
      ),
    );
    expect(log.delimiter).toBe(';');
    expect(log.headerRow).toBe(4);
    expect(log.warnings).toEqual([]);
    expect(log.checks.map((c) => [c.performedAt, c.kind, c.injections.length])).toEqual([
      ['2026-12-07T08:01:05', 'calibration', 3],
      ['2026-12-07T08:11:02', 'volume_check', 3],
    ]);
    expect(log.checks[0]).toMatchObject({ syringeVolumeL: 3, temperatureC: 21.8, pressureHpa: 1012, humidityPct: 38 });
    expect(log.checks[0]!.injections.map((i) => [i.flowLps, i.measuredL, i.deviceErrorPct])).toEqual([
      [0.51, 2.985, -0.5],
      [2.97, 3.012, 0.4],
      [8.75, 3.02, 0.67],
    ]);
  });

  it('reads a GBK file with Chinese headers, a preamble giving the syringe, and no error column', () => {
    const text = [
      '肺功能仪定标记录',
      '定标筒容积：3.00 L',
      '定标筒编号：DB-3000-17',
      '',
      '日期\t时间\t流速(L/s)\t实测容积(L)\t温度(℃)\t大气压(kPa)\t湿度(%)\t操作者',
      '2026/12/07\t07:58\t0.6\t2.962\t20.5\t100.8\t52\t张敏',
      '2026/12/07\t07:58\t3.1\t3.021\t20.5\t100.8\t52\t张敏',
      '2026/12/07\t07:58\t11.4\t3.105\t20.5\t100.8\t52\t张敏',
    ].join('\r\n');
    const bytes = gbk(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const log = read(bytes);
    expect(log).toMatchObject({ encoding: 'gb18030', delimiter: '\t', headerRow: 5 });
    expect(log.columns).toMatchObject({ date: '日期', time: '时间', flow: '流速(L/s)', measuredVolume: '实测容积(L)', operator: '操作者' });
    expect(log.checks).toEqual([
      {
        performedAt: '2026-12-07T07:58:00',
        kind: 'volume_check',
        syringeVolumeL: 3,
        syringeSerial: 'DB-3000-17',
        temperatureC: 20.5,
        pressureHpa: 1008,
        humidityPct: 52,
        operator: '张敏',
        deviceVerdict: null,
        injections: [
          { row: 6, flowLps: 0.6, expectedL: null, measuredL: 2.962, deviceErrorPct: null },
          { row: 7, flowLps: 3.1, expectedL: null, measuredL: 3.021, deviceErrorPct: null },
          { row: 8, flowLps: 11.4, expectedL: null, measuredL: 3.105, deviceErrorPct: null },
        ],
      },
    ]);
  });

  it('reads Chinese headers with a combined date-time column, 误差% and the measured volume derived from the error', () => {
    const log = read(
      withBom(
        [
          '检测时间,定标类型,定标筒容积(L),流速(L/s),标准容积(L),误差%,操作员,结论',
          '2026-12-07 08:00:00,容积验证,3,0.5,3.00,-1.2,李娜,合格',
          '2026-12-07 08:00:00,容积验证,3,3.0,3.00,0.4,李娜,合格',
          '2026-12-07 08:00:00,容积验证,3,9.5,3.00,2.1,李娜,合格',
        ].join('\n'),
      ),
    );
    expect(log.checks).toHaveLength(1);
    expect(log.checks[0]).toMatchObject({ performedAt: '2026-12-07T08:00:00', kind: 'volume_check', operator: '李娜', deviceVerdict: 'pass' });
    expect(log.checks[0]!.injections.map((i) => i.measuredL)).toEqual([2.964, 3.012, 3.063]);
  });

  it('skips junk rows with a warning each and keeps the good ones', () => {
    const result = readCalibrationLog(
      utf8(
        [
          'Date,Time,Syringe volume (L),Flow (L/s),Measured volume (L),Error (%)',
          '2026-12-07,08:00,3.00,0.5,2.97,-1.0',
          '----------,-----,----,----,----,----',
          '2026-12-07,08:00,3.00,3.0,,',
          '2026-12-07,08:00,3.00,9.5,3.03,1.0',
          '2026-12-07,08:00,3.00,6.0,3.05,0.1',
          'Mean,,,,3.00,0.0',
          'Result: PASS',
          'Date,Time,Syringe volume (L),Flow (L/s),Measured volume (L),Error (%)',
          '2026-13-45,08:00,3.00,0.5,2.97,-1.0',
          '2026-12-08,08:10,,0.5,2.99,',
        ].join('\n'),
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.checks).toHaveLength(1);
    expect(result.value.checks[0]!.injections.map((i) => i.measuredL)).toEqual([2.97, 3.03, 3.05]);
    expect(result.value.warnings.map((w) => [w.row, w.code])).toEqual([
      [4, 'row-skipped'],
      [6, 'error-mismatch'],
      [7, 'row-skipped'],
      [8, 'row-skipped'],
      [10, 'row-skipped'],
      [11, 'check-skipped'],
    ]);
    expect(result.value.warnings[0]!.message).toBe('第 4 行缺少实测容积，已跳过');
    expect(result.value.warnings[1]!.message).toContain('按容积计算');
  });

  it('converts millilitres and L/min, and reads slashed dates month-first when the file says so', () => {
    const log = read(utf8(['Date,Time,Syringe (mL),Flow (L/min),Volume (mL)', '12/31/2026,5:40 PM,3000,30,2985', '12/31/2026,5:40 PM,3000,180,3010', '12/31/2026,5:40 PM,3000,600,3040'].join('\n')));
    expect(log.checks[0]).toMatchObject({ performedAt: '2026-12-31T17:40:00', syringeVolumeL: 3 });
    expect(log.checks[0]!.injections.map((i) => [i.flowLps, i.measuredL])).toEqual([
      [0.5, 2.985],
      [3, 3.01],
      [10, 3.04],
    ]);
  });

  it('follows a per-device column mapping where the aliases do not fit', () => {
    const bytes = utf8(['Zeitpunkt;Spritze;V_ist;Q', '07.12.2026 08:00:00;3,0;2,99;0,5', '07.12.2026 08:00:00;3,0;3,01;3,0', '07.12.2026 08:00:00;3,0;3,02;9,0'].join('\n'));
    const refused = readCalibrationLog(bytes);
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('未找到定标记录表头') });
    const log = read(bytes, { mapping: { dateTime: 'Zeitpunkt', syringeVolume: 'Spritze', measuredVolume: 'V_ist', flow: 4 } });
    expect(log.checks).toEqual([expect.objectContaining({ performedAt: '2026-12-07T08:00:00', syringeVolumeL: 3, injections: [expect.objectContaining({ flowLps: 0.5, measuredL: 2.99 }), expect.objectContaining({ flowLps: 3 }), expect.objectContaining({ flowLps: 9 })] })]);
  });

  it('gives a reason, never an exception, for files that are not logs', () => {
    const reasons = [
      new Uint8Array(),
      utf8('%PDF-1.4 report'),
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]),
      new Uint8Array([0x01, 0x00, 0x02, 0x03]),
      utf8('01380006310\r\n0148100FVC\r\n'),
      utf8('Date,Time,Flow\n2026-12-07,08:00,0.5\n'),
      utf8('Date,Time,Volume (L)\n'),
      utf8('Date,Time,Volume (L)\n2026-12-07,08:00,2.99\n'),
    ].map((bytes) => readCalibrationLog(bytes));
    expect(reasons.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      '文件为空',
      '这是 PDF 文件，请作为定标报告附件上传',
      '这是图片文件，请作为定标报告附件上传',
      '不是文本文件（含二进制内容），无法作为定标记录读取',
      expect.stringContaining('未找到定标记录表头'),
      expect.stringContaining('未找到定标记录表头'),
      '表头之后没有可读的定标数据行',
      '没有可导入的定标检查（缺少定标筒容积）',
    ]);
    expect(readCalibrationLog(utf8('日期,实测容积\n2026-12-07,2.99'), { encoding: 'gbk' }).ok).toBe(false);
    expect(looksLikeCalibrationLog(utf8('<ndd><Patients/></ndd>'))).toBe(false);
  });

  it('survives thousands of mutated logs without throwing', () => {
    const seed = utf8(['Date;Time;Syringe (L);Flow (L/s);Volume (L);Error (%)', '07.12.2026;08:01;3,00;0,51;2,985;-0,50', '07.12.2026;08:01;3,00;2,97;3,012;0,40'].join('\n'));
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 3000; n++) {
      const bytes = seed.slice();
      for (let k = 0; k < 1 + Math.floor(random() * 6); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const result = readCalibrationLog(bytes.subarray(0, Math.floor(random() * bytes.length) + 1));
      if (!result.ok) expect(result.reason).toBeTruthy();
      else for (const check of result.value.checks) expect(check.syringeVolumeL).toBeGreaterThan(0);
    }
  });
});
