import { CHINA2014_TEMPLATES_ZH, DEFAULT_TEMPLATES_ZH } from '@pftis/clinical';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAB_SETTINGS_VIEW, equationsFor, LabSettingsBody, type LabSettingsView, TEMPLATE_PLACEHOLDERS } from './lab-settings.schemas.js';
import { changedPaths, templateOverride, toStored, toView } from './lab-settings.service.js';

const clone = (): LabSettingsView => structuredClone(DEFAULT_LAB_SETTINGS_VIEW);

/** The issues zod reports for a settings value, as "path: message". */
function issues(value: unknown): string[] {
  const parsed = LabSettingsBody.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('lab settings validation', () => {
  it('accepts the defaults and a typical Chinese lab (GLI-2012 北亚, children on Jian 2017, the 2014 guideline)', () => {
    expect(issues(clone())).toEqual([]);
    const lab = clone();
    lab.reference.defaults.spirometry = { equation: 'gli2012', ethnicity: 3 };
    lab.reference.patientGroups = [{ id: 'children', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } }];
    lab.reference.outOfRange = 'extrapolate';
    lab.interpretation.scheme = 'china2014';
    expect(issues(lab)).toEqual([]);
  });

  it('offers for each parameter group only the equations that define it', () => {
    expect(equationsFor('spirometry').sort()).toEqual(['gli2012', 'gli2022', 'jian2017', 'nhanes3']);
    expect(equationsFor('transfer')).toEqual(['gli2017']);
    expect(equationsFor('volumes')).toEqual(['gli2021']);
  });

  it('refuses an unknown equation and one that does not serve the group', () => {
    const unknown = clone() as unknown as { reference: { defaults: { spirometry: { equation: string } } } };
    unknown.reference.defaults.spirometry.equation = 'ecsc1993';
    expect(issues(unknown)).toEqual(['reference.defaults.spirometry.equation: 未知的参考方程']);
    const wrong = clone();
    wrong.reference.defaults.transfer = { equation: 'gli2022' };
    expect(issues(wrong)).toEqual(['reference.defaults.transfer.equation: GLI Global 2022 不适用于弥散']);
  });

  it('needs an ethnic group 1–5 with GLI-2012 and a valid one with NHANES III, and none with the others', () => {
    const missing = clone();
    missing.reference.defaults.spirometry = { equation: 'gli2012' };
    expect(issues(missing)).toEqual(['reference.defaults.spirometry.ethnicity: GLI-2012 须指定人种分组 1–5（中国人群一般选 3 东北亚）']);
    const outOfRange = clone() as unknown as { reference: { defaults: { spirometry: unknown } } };
    outOfRange.reference.defaults.spirometry = { equation: 'gli2012', ethnicity: 6 };
    expect(issues(outOfRange)[0]).toMatch(/^reference\.defaults\.spirometry\.ethnicity: 人种取值不正确/);
    const nhanesWithGroup = clone();
    nhanesWithGroup.reference.defaults.spirometry = { equation: 'nhanes3', ethnicity: 3 };
    expect(issues(nhanesWithGroup)).toEqual(['reference.defaults.spirometry.ethnicity: NHANES III 须指定人种：白人、非裔美国人或墨西哥裔美国人']);
    const extra = clone();
    extra.reference.defaults.spirometry = { equation: 'gli2022', ethnicity: 3 };
    expect(issues(extra)).toEqual(['reference.defaults.spirometry.ethnicity: GLI Global 2022 不区分人种，请不要指定人种']);
  });

  it('treats a cleared ethnicity or age (null from a form) as absent', () => {
    const lab = clone() as unknown as Record<string, any>;
    lab.reference.defaults.spirometry = { equation: 'gli2022', ethnicity: null };
    lab.reference.patientGroups = [{ id: 'kids', label: '儿童', match: { minAge: null, maxAge: 18, sex: null }, choices: { spirometry: { equation: 'jian2017', ethnicity: null } } }];
    const parsed = LabSettingsBody.parse(lab);
    expect(JSON.parse(JSON.stringify(parsed.reference.patientGroups[0]))).toEqual({ id: 'kids', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } });
  });

  it('checks patient groups: unique ids, sane age ranges, a rule and a choice', () => {
    const lab = clone();
    lab.reference.patientGroups = [
      { id: 'children', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } },
      { id: 'children', label: '儿童2', match: { minAge: 18, maxAge: 6 }, choices: { spirometry: { equation: 'gli2012', ethnicity: 3 } } },
      { id: 'x', label: '空规则', match: {}, choices: {} },
      { id: 'Bad Id', label: '', match: { minAge: -1 }, choices: { volumes: { equation: 'gli2021' } } },
    ];
    // Every mistake at once: the field checks and the rules across fields.
    expect(issues(lab).sort()).toEqual([
      'reference.patientGroups.1.id: 患者分组代码重复：children',
      'reference.patientGroups.1.match.maxAge: 年龄范围不正确：起始年龄（18 岁）须小于截止年龄（6 岁）',
      'reference.patientGroups.2.choices: 患者分组“空规则”未指定任何参考方程',
      'reference.patientGroups.2.match: 匹配条件至少须包含年龄范围或性别之一',
      'reference.patientGroups.3.id: 分组代码只能包含小写字母、数字、下划线和短横线（最多 32 个字符）',
      'reference.patientGroups.3.label: 请填写分组名称',
      'reference.patientGroups.3.match.minAge: 年龄不能小于 0 岁',
    ].sort());
  });

  it('checks the equation choices inside patient groups too', () => {
    const lab = clone();
    lab.reference.patientGroups = [{ id: 'g', label: '分组', match: { sex: 'male' }, choices: { volumes: { equation: 'gli2017' } } }];
    expect(issues(lab)).toEqual(['reference.patientGroups.0.choices.volumes.equation: GLI-2017 TLCO 不适用于肺容量']);
  });

  it('refuses unknown placeholders, {severity} where it is not replaced, unbalanced braces and empty clauses', () => {
    const lab = clone();
    const zh = structuredClone(DEFAULT_TEMPLATES_ZH);
    zh.pattern.obstruction = '{severity}阻塞性通气功能障碍（{grade}）';
    zh.bdr.positive = '{severity}支气管舒张试验阳性';
    zh.pattern.mixed = '{severity混合性通气功能障碍';
    zh.gasTransfer.normal = '   ';
    lab.templates = { ...lab.templates, zh };
    expect(issues(lab).sort()).toEqual([
      'templates.zh.bdr.positive: 此处不能使用占位符 {severity}',
      'templates.zh.gasTransfer.normal: 模板不能为空',
      'templates.zh.pattern.mixed: 花括号不成对',
      'templates.zh.pattern.obstruction: 未知占位符 {grade}，可用占位符：{severity}',
    ].sort());
  });

  it('refuses an unknown interpretation scheme and out-of-range policy', () => {
    const lab = clone() as unknown as Record<string, any>;
    lab.interpretation.scheme = 'gold2023';
    lab.reference.outOfRange = 'clamp';
    expect(issues(lab).sort()).toEqual(['interpretation.scheme: 未知的判读方案', 'reference.outOfRange: 超出适用范围的处理方式只能是拒绝计算或外推并标注'].sort());
  });
});

describe('stored form', () => {
  it('stores only the phrases that differ from the scheme defaults, and shows both sets in full', () => {
    const lab = clone();
    expect(toStored(lab).templates).toBeUndefined();
    lab.templates!.zh = { ...structuredClone(DEFAULT_TEMPLATES_ZH), separator: '；', bdr: { positive: '支气管舒张试验阳性', negative: '舒张试验阴性' } };
    const stored = toStored(lab);
    expect(stored.templates).toEqual({ zh: { separator: '；', bdr: { negative: '舒张试验阴性' } } });
    const view = toView(stored);
    expect(view.templates!.zh!.separator).toBe('；');
    expect(view.templates!.zh!.pattern).toEqual(DEFAULT_TEMPLATES_ZH.pattern);
    expect(view.templates!.en).toEqual(DEFAULT_LAB_SETTINGS_VIEW.templates!.en);
  });

  it('keeps the lab phrases over the Chinese 2014 defaults when the scheme changes', () => {
    const stored = toStored({ ...clone(), templates: { zh: { ...structuredClone(DEFAULT_TEMPLATES_ZH), terminator: '。' } } });
    stored.interpretation.scheme = 'china2014';
    const view = toView(stored);
    expect(view.templates!.zh!.terminator).toBe('。');
    expect(view.templates!.zh!.pattern).toEqual(CHINA2014_TEMPLATES_ZH.pattern);
    expect(templateOverride(view.templates!.zh, CHINA2014_TEMPLATES_ZH)).toEqual({ terminator: '。' });
  });

  it('drops cleared optional fields rather than storing undefined', () => {
    const lab = LabSettingsBody.parse({ ...clone(), interpretation: { ...clone().interpretation, bdrRule: null, bdrOperator: null } });
    expect(Object.keys(toStored(lab).interpretation).sort()).toEqual(['pattern', 'scheme']);
  });

  it('lists the placeholders each phrase may use, from the clinical core defaults', () => {
    expect(TEMPLATE_PLACEHOLDERS.pattern).toEqual(['severity']);
    expect(TEMPLATE_PLACEHOLDERS.bdr).toEqual([]);
  });

  it('names what changed for the audit log', () => {
    const before = toStored(clone());
    const after = toStored(clone());
    after.reference.defaults.spirometry = { equation: 'gli2012', ethnicity: 3 };
    after.interpretation.scheme = 'china2014';
    expect(changedPaths(before, after)).toEqual(['reference.defaults.spirometry', 'interpretation.scheme']);
    expect(changedPaths(before, before)).toEqual([]);
  });
});
