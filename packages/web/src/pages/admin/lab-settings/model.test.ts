import { describe, expect, it } from 'vitest';
import type { LabSettings } from './api.ts';
import { ethnicityFor, fieldName, formToSettings, newGroup, rebaseTemplates, settingsToForm, templateChanges, type TemplateSet } from './model.ts';

const ats: TemplateSet = { pattern: { normal: '肺通气功能正常', prism: '{severity}PRISm' }, separator: '，', capitalizeFirst: false };
const china: TemplateSet = { pattern: { normal: '肺通气功能正常', prism: '{severity}通气功能障碍' }, separator: '，', capitalizeFirst: false };

const settings: LabSettings = {
  reference: {
    defaults: { spirometry: { equation: 'gli2012', ethnicity: 3 }, transfer: { equation: 'gli2017' }, volumes: { equation: 'gli2021' } },
    patientGroups: [{ id: 'children', label: '儿童', match: { maxAge: 18 }, choices: { spirometry: { equation: 'jian2017' } } }],
    outOfRange: 'refuse',
  },
  interpretation: { scheme: 'ats2022', pattern: { isolatedLowFev1: 'prism', lowFvcWithoutTlc: 'possible_restriction' } },
  templates: { zh: ats, en: ats },
} as LabSettings;

describe('lab settings form model', () => {
  it('round-trips the settings through the form', () => {
    const form = settingsToForm(settings, { zh: ats, en: ats });
    expect(form.reference.patientGroups[0]!.match).toEqual({ minAge: null, maxAge: 18, sex: '' });
    expect(form.reference.patientGroups[0]!.choices.transfer).toEqual({ equation: '', ethnicity: null });
    expect(formToSettings(form)).toEqual({ ...settings, interpretation: { scheme: 'ats2022', pattern: settings.interpretation.pattern } });
  });

  it('sends no ethnic group for an equation without one, and no empty match rule or unset choice', () => {
    const form = settingsToForm(settings, { zh: ats, en: ats });
    form.reference.defaults.spirometry = { equation: 'gli2022', ethnicity: 3 };
    form.reference.patientGroups[0]!.match = { minAge: null, maxAge: null, sex: '' };
    form.interpretation.bdrRule = 'china2014';
    const sent = formToSettings(form);
    expect(sent.reference.defaults.spirometry).toEqual({ equation: 'gli2022' });
    expect(sent.reference.patientGroups[0]).toEqual({ id: 'children', label: '儿童', choices: { spirometry: { equation: 'jian2017' } } });
    expect(sent.interpretation.bdrRule).toBe('china2014');
    expect(sent.interpretation.china2014).toBeUndefined();
  });

  it('picks 东北亚 (3) when GLI-2012 is chosen and keeps a fitting group', () => {
    expect(ethnicityFor('gli2012', null)).toBe(3);
    expect(ethnicityFor('gli2012', 1)).toBe(1);
    expect(ethnicityFor('nhanes3', 3)).toBeNull();
    expect(ethnicityFor('nhanes3', 'caucasian')).toBe('caucasian');
    expect(ethnicityFor('jian2017', 3)).toBeNull();
  });

  it('suggests unused group codes, children under 18 first', () => {
    const first = newGroup([], true);
    expect(first).toMatchObject({ id: 'children', match: { maxAge: 18 } });
    expect(newGroup([first], true).id).toBe('children2');
    expect(newGroup([first]).id).toBe('group');
  });

  it('keeps the phrases the lab changed when the scheme changes, and takes the new defaults for the rest', () => {
    const edited: TemplateSet = { ...ats, pattern: { normal: '通气功能正常', prism: '{severity}PRISm' } };
    expect(templateChanges(edited, ats)).toEqual({ pattern: { normal: '通气功能正常' } });
    expect(rebaseTemplates(edited, ats, china)).toEqual({ ...china, pattern: { normal: '通气功能正常', prism: '{severity}通气功能障碍' } });
    expect(rebaseTemplates(ats, ats, china)).toEqual(china);
  });

  it('turns a server error path into a form field name', () => {
    expect(fieldName('body.reference.patientGroups.1.match.maxAge')).toEqual(['reference', 'patientGroups', 1, 'match', 'maxAge']);
  });
});
