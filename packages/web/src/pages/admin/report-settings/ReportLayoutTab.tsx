import { Alert, App, Button, Divider, Form, Input, InputNumber, Radio, Spin, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useT } from '../../../i18n/I18nProvider.tsx';
import type { MessageKey } from '../../../i18n/zh.ts';
import { orgApi } from '../org/api.ts';
import { COLUMNS, type ReportColumn, type ReportLayout, type ReportSection, reportSettingsApi, SECTIONS } from './api.ts';
import { LogoEditor } from './LogoEditor.tsx';
import { OrderedChecklist } from './OrderedChecklist.tsx';
import { fromChoices, type OrderedChoice, toChoices } from './settings-model.ts';

type LayoutForm = Omit<ReportLayout, 'sections' | 'columns'> & { sections: Array<OrderedChoice<ReportSection>>; columns: Array<OrderedChoice<ReportColumn>> };

const toForm = (layout: ReportLayout): LayoutForm => ({ ...layout, sections: toChoices(SECTIONS, layout.sections), columns: toChoices(COLUMNS, layout.columns) });
const fromForm = (form: LayoutForm): ReportLayout => ({ ...form, title: form.title.trim(), footer: form.footer ?? '', logos: form.logos ?? {}, sections: fromChoices(form.sections), columns: fromChoices(form.columns) });

/** 报告版式: how the printed report (PDF and JPG) is laid out. */
export function ReportLayoutTab() {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<LayoutForm>();
  const layout = useLoad<ReportLayout | null>(reportSettingsApi.layout, null);
  const campuses = useLoad(orgApi.campuses, []);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (layout.data) form.setFieldsValue(toForm(layout.data));
  }, [layout.data, form]);

  async function save(values: LayoutForm) {
    setSaving(true);
    try {
      form.setFieldsValue(toForm(await reportSettingsApi.saveLayout(fromForm(values))));
      message.success(t('common.saved'));
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  const number = (name: keyof LayoutForm, label: MessageKey, min: number, max: number, options: { step?: number; precision?: number; unit?: string; extra?: MessageKey } = {}) => (
    <Form.Item name={name} label={t(label)} extra={options.extra && t(options.extra)} rules={[{ required: true }]}>
      <InputNumber min={min} max={max} step={options.step ?? 1} precision={options.precision} suffix={options.unit} style={{ width: 160 }} />
    </Form.Item>
  );
  const atLeastOne = (messageKey: MessageKey) => ({
    validator: (_: unknown, value: Array<OrderedChoice<string>> | undefined) => (value?.some((c) => c.shown) ? Promise.resolve() : Promise.reject(new Error(t(messageKey)))),
  });

  return (
    <Spin spinning={layout.loading}>
      {!layout.loading && !layout.data && <Alert type="error" showIcon title={t('reportSettings.loadFailed')} style={{ marginBottom: 16 }} data-testid="layout-load-failed" />}
      <Form form={form} layout="horizontal" labelCol={{ span: 6 }} wrapperCol={{ span: 18 }} onFinish={save} data-testid="report-layout-form" disabled={!layout.data}>
        <Divider titlePlacement="left">{t('reportSettings.basics')}</Divider>
        <Form.Item name="title" label={t('reportSettings.reportTitle')} rules={[{ required: true, whitespace: true, message: t('reportSettings.titleRequired') }, { max: 40 }]}>
          <Input maxLength={40} style={{ maxWidth: 420 }} />
        </Form.Item>
        <Form.Item name="footer" label={t('reportSettings.footer')} extra={t('reportSettings.footerHint')} rules={[{ max: 200 }]}>
          <Input.TextArea maxLength={200} showCount autoSize={{ minRows: 2, maxRows: 4 }} style={{ maxWidth: 560 }} />
        </Form.Item>
        <Form.Item name="language" label={t('reportSettings.language')} extra={t('reportSettings.languageHint')}>
          <Radio.Group options={[{ value: 'zh', label: t('reportSettings.language.zh') }, { value: 'en', label: t('reportSettings.language.en') }]} />
        </Form.Item>

        <Divider titlePlacement="left">{t('reportSettings.page')}</Divider>
        {number('marginMm', 'reportSettings.marginMm', 5, 30, { unit: 'mm' })}
        {number('baseFontSize', 'reportSettings.baseFontSize', 6, 14, { step: 0.5, unit: 'pt' })}
        {number('titleFontSize', 'reportSettings.titleFontSize', 10, 28, { step: 0.5, unit: 'pt' })}
        {number('patientFieldsPerLine', 'reportSettings.patientFieldsPerLine', 1, 6, { precision: 0 })}

        <Divider titlePlacement="left">{t('reportSettings.content')}</Divider>
        <Form.Item name="sections" label={t('reportSettings.sections')} extra={t('reportSettings.sectionsHint')} rules={[atLeastOne('reportSettings.sectionsRequired')]}>
          <OrderedChecklist<ReportSection> testId="layout-sections" label={(key) => t(`reportSettings.section.${key}`)} />
        </Form.Item>
        <Form.Item name="columns" label={t('reportSettings.columns')} extra={t('reportSettings.columnsHint')} rules={[atLeastOne('reportSettings.columnsRequired')]}>
          <OrderedChecklist<ReportColumn> testId="layout-columns" label={(key) => t(`reportSettings.column.${key}`)} />
        </Form.Item>

        <Divider titlePlacement="left">{t('reportSettings.marks')}</Divider>
        <Form.Item name="showLogo" label={t('reportSettings.showLogo')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="logos" label={t('reportSettings.logos')} extra={t('reportSettings.logosHint')}>
          <LogoEditor campuses={campuses.data} />
        </Form.Item>
        <Form.Item name="showBarcode" label={t('reportSettings.showBarcode')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="showQr" label={t('reportSettings.showQr')} extra={t('reportSettings.showQrHint')} valuePropName="checked">
          <Switch />
        </Form.Item>

        <Divider titlePlacement="left">{t('reportSettings.jpg')}</Divider>
        {number('jpgDpi', 'reportSettings.jpgDpi', 72, 600, { precision: 0, unit: 'dpi' })}
        {number('jpgQuality', 'reportSettings.jpgQuality', 30, 100, { precision: 0, extra: 'reportSettings.jpgQualityHint' })}

        <Form.Item wrapperCol={{ offset: 6 }}>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="save-layout">
            {t('common.save')}
          </Button>
        </Form.Item>
      </Form>
    </Spin>
  );
}
