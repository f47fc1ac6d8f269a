import { Flex, Form, type FormInstance, Select, Typography } from 'antd';
import type { EquationOption, ParameterGroup } from './api.ts';
import { type LsMessageKey, useLsT } from './messages.ts';
import { ethnicityFor, GLI2012_GROUPS, NHANES3_GROUPS, needsEthnicity, type ChoiceForm, type SettingsForm } from './model.ts';

/** One equation choice (equation, and the ethnic group where the equation needs one) at `name` in the settings form. */
export function EquationChoice({ form, name, itemName = name, group, equations, allowDefault, testId }: {
  form: FormInstance<SettingsForm>;
  /** The choice's full path in the form. */
  name: Array<string | number>;
  /** The same path as Form.Item sees it: relative to the enclosing Form.List, where there is one. */
  itemName?: Array<string | number>;
  group: ParameterGroup;
  equations: EquationOption[];
  /** Patient groups may leave a parameter group on the lab default. */
  allowDefault?: boolean;
  testId: string;
}) {
  const { t } = useLsT();
  const choice = Form.useWatch(name, form) as ChoiceForm | undefined;
  const equation = choice?.equation ?? '';
  const offered = equations.filter((e) => e.groups.includes(group));
  const options = [
    ...(allowDefault ? [{ value: '', label: t('eq.useDefault') }] : []),
    ...offered.map((e) => ({ value: e.id, label: `${t(`eq.${e.id}` as LsMessageKey)} · ${t('ageRange', { min: e.ageMin, max: e.ageMax })}` })),
  ];
  const ethnicityOptions: Array<{ value: number | string; label: string }> =
    equation === 'gli2012'
      ? GLI2012_GROUPS.map((g) => ({ value: g, label: t(`eth.${g}` as LsMessageKey) }))
      : NHANES3_GROUPS.map((g) => ({ value: g, label: t(`eth.${g}` as LsMessageKey) }));
  return (
    <Flex gap={8} wrap align="flex-start">
      <Form.Item name={[...itemName, 'equation']} style={{ marginBottom: 8, minWidth: 320, flex: 1 }}>
        <Select
          data-testid={`${testId}-equation`}
          options={options}
          onChange={(value: ChoiceForm['equation']) => (form as FormInstance).setFieldValue([...name, 'ethnicity'], ethnicityFor(value, choice?.ethnicity ?? null))}
        />
      </Form.Item>
      {needsEthnicity(equation) && (
        <Form.Item name={[...itemName, 'ethnicity']} style={{ marginBottom: 8, width: 200 }} rules={[{ required: true, message: t('ethnicityRequired') }]}>
          <Select data-testid={`${testId}-ethnicity`} options={ethnicityOptions} placeholder={t('ethnicity')} prefix={`${t('ethnicity')}：`} />
        </Form.Item>
      )}
      {equation === 'jian2017' && (
        <Typography.Text type="secondary" style={{ flexBasis: '100%', marginTop: -4, marginBottom: 8 }}>
          {t('jianNote')}
        </Typography.Text>
      )}
    </Flex>
  );
}
