import { App, Button, Card, Col, Form, Input, InputNumber, Row, Spin, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { applyFieldErrors, errorTitle } from '../../../api/forms.ts';
import { useLoad } from '../../../api/useLoad.ts';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { hisViewsApi, type WriteBack, WRITE_BACK_STATUSES } from './api.ts';

/** 状态回写: how exam progress is written back to the HIS order. */
export function WriteBackCard({ canEdit }: { canEdit: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<WriteBack>();
  const settings = useLoad<WriteBack | null>(hisViewsApi.writeBack, null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);

  async function save(values: WriteBack) {
    setSaving(true);
    try {
      form.setFieldsValue(await hisViewsApi.saveWriteBack(values));
      message.success(t('common.saved'));
    } catch (error) {
      if (!applyFieldErrors(form, error)) message.error(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card title={t('writeBack.title')} data-testid="write-back">
      <Spin spinning={settings.loading}>
        <Form form={form} layout="vertical" onFinish={save} disabled={!canEdit}>
          <Form.Item name="enabled" label={t('writeBack.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="sql" label={t('writeBack.sql')} extra={t('writeBack.sqlHint')}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} spellCheck={false} style={{ fontFamily: 'Consolas, "Courier New", monospace', fontSize: 13 }} />
          </Form.Item>
          <Row gutter={12}>
            {WRITE_BACK_STATUSES.map((status) => (
              <Col key={status} xs={12} md={4}>
                <Form.Item name={['codes', status]} label={t(`writeBack.code.${status}`)}>
                  <Input />
                </Form.Item>
              </Col>
            ))}
            <Col xs={12} md={4}>
              <Form.Item name="timeoutMs" label={t('hisViews.timeoutMs')} rules={[{ required: true }]}>
                <InputNumber min={100} max={60_000} step={500} suffix="ms" style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          {canEdit && (
            <Button type="primary" htmlType="submit" loading={saving} disabled={!settings.data}>
              {t('common.save')}
            </Button>
          )}
        </Form>
      </Spin>
    </Card>
  );
}
