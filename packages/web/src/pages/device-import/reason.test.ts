import { describe, expect, it } from 'vitest';
import { reasonZh } from './reason.ts';

describe('import reasons in Chinese', () => {
  it('translates the reasons the server records, keeping their particulars', () => {
    expect(reasonZh('not a recognised device file')).toBe('无法识别的设备文件（不是支持的结果格式）');
    expect(reasonZh('no exam with accession number MAIN1')).toBe('找不到检查号为 MAIN1 的检查');
    expect(reasonZh('identity differs from the HIS for accession number A1: sex F ≠ M')).toBe('患者信息与 HIS 不一致（sex F ≠ M），请人工核对后绑定');
    expect(reasonZh('2 exams match patient P1 on 2026-12-07')).toBe('有 2 个检查符合条件，无法自动确定，请人工绑定');
    expect(reasonZh('ndd XML: no Patients/Patient element')).toBe('ndd XML 文件无法解析：no Patients/Patient element');
  });

  it('shows an unknown reason as recorded', () => {
    expect(reasonZh('something new')).toBe('something new');
  });
});
