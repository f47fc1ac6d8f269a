import { Alert, Form, InputNumber, Modal, Radio, Switch } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { type QcPolicy, qcApi } from './api.ts';
import { useQcT } from './messages.ts';

/** 质控设置 (system administrators): block or warn at registration, and the biological-control limits. */
export function PolicyModal({ policy, onClose, onSaved }: { policy: QcPolicy; onClose(): void; onSaved(next: QcPolicy): void }) {
  const t = useQcT();
  const [form] = Form.useForm<QcPolicy>();
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  async function submit(values: QcPolicy) {
    setSaving(true);
    try {
      onSaved(await qcApi.updatePolicy(values));
    } catch (error) {
      setFailure(errorTitle(error));
    } finally {
      setSaving(false);
    }
  }
  return (
    <Modal open title={t('policy.title')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={saving}>
      <Form<QcPolicy> form={form} layout="vertical" initialValues={policy} onFinish={submit} data-testid="qc-policy-form">
        <Form.Item name="blockWithoutPassedCheck" label={t('policy.block')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="biologicalControlLimitPct" label={t('policy.bioPct')} rules={[{ required: true }]}>
          <InputNumber min={1} max={20} step={0.5} />
        </Form.Item>
        <Form.Item name="biologicalControlLimitL" label={t('policy.bioL')} rules={[{ required: true }]}>
          <InputNumber min={0.01} max={1} step={0.01} />
        </Form.Item>
        <Form.Item name="biologicalControlCombine" label={t('policy.bioCombine')}>
          <Radio.Group options={(['either', 'both'] as const).map((v) => ({ value: v, label: t(`policy.${v}`) }))} />
        </Form.Item>
        {failure && <Alert type="error" showIcon title={failure} />}
      </Form>
    </Modal>
  );
}
