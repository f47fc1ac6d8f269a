import { CheckOutlined, EditOutlined, RollbackOutlined, SaveOutlined, SendOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Space } from 'antd';
import { useState } from 'react';
import { errorTitle } from '../../api/forms.ts';
import { useT } from '../../i18n/I18nProvider.tsx';
import type { ReviewAllowed } from './api.ts';
import { PinModal } from './PinModal.tsx';

export interface ReviewHandlers {
  save(): Promise<void>;
  submit(): Promise<void>;
  /** Throws on refusal (wrong PIN): the dialog shows the title and stays open. */
  approve(pin: string): Promise<void>;
  returnToAuthor(comment: string): Promise<void>;
  correct(reason: string): Promise<void>;
  /** Throws on refusal (wrong PIN): the dialog shows the title and stays open. */
  revoke(reason: string, pin: string): Promise<void>;
}

/** The review buttons, each shown only when the server's `allowed` says the command would be accepted. */
export function ReviewActions({ allowed, dirty, levelName, handlers }: { allowed: ReviewAllowed; dirty: boolean; levelName: string | null; handlers: ReviewHandlers }) {
  const t = useT();
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const [dialog, setDialog] = useState<'approve' | 'return' | 'correct' | 'revoke' | null>(null);

  async function run(which: 'save' | 'submit', action: () => Promise<void>) {
    setBusy(which);
    try {
      await action();
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <Space wrap data-testid="review-actions">
        {allowed.edit && (
          <Button icon={<SaveOutlined />} loading={busy === 'save'} disabled={!dirty} onClick={() => void run('save', handlers.save)} data-testid="report-save">
            {t('common.save')}
          </Button>
        )}
        {allowed.submit && (
          <Button type="primary" icon={<SendOutlined />} loading={busy === 'submit'} onClick={() => void run('submit', handlers.submit)} data-testid="report-submit">
            {t('report.submit')}
          </Button>
        )}
        {allowed.approve && (
          <Button type="primary" icon={<CheckOutlined />} onClick={() => setDialog('approve')} data-testid="report-approve">
            {t('report.approve')}
          </Button>
        )}
        {allowed.return && (
          <Button danger icon={<RollbackOutlined />} onClick={() => setDialog('return')} data-testid="report-return">
            {t('report.return')}
          </Button>
        )}
        {allowed.correct && (
          <Button icon={<EditOutlined />} onClick={() => setDialog('correct')} data-testid="report-correct">
            {t('report.correct')}
          </Button>
        )}
        {allowed.revoke && (
          <Button danger icon={<StopOutlined />} onClick={() => setDialog('revoke')} data-testid="report-revoke">
            {t('report.revoke')}
          </Button>
        )}
      </Space>
      <RevokeModal
        open={dialog === 'revoke'}
        onClose={() => setDialog(null)}
        onSubmit={async (reason, pin) => {
          await handlers.revoke(reason, pin);
          setDialog(null);
        }}
      />

      <PinModal
        open={dialog === 'approve'}
        title={levelName ? t('report.approveTitleLevel', { level: levelName }) : t('report.approve')}
        okText={t('report.approve')}
        hint={dirty ? t('report.approveHintDirty') : t('report.approveHint')}
        testId="approve"
        onClose={() => setDialog(null)}
        onSubmit={async (pin) => {
          await handlers.approve(pin);
          setDialog(null);
        }}
      />
      <CommentModal
        open={dialog === 'return'}
        title={t('report.returnTitle')}
        label={t('report.returnComment')}
        required={t('report.returnCommentRequired')}
        okText={t('report.return')}
        danger
        testId="return"
        minLength={1}
        onClose={() => setDialog(null)}
        onSubmit={async (comment) => {
          await handlers.returnToAuthor(comment);
          setDialog(null);
        }}
      />
      <CommentModal
        open={dialog === 'correct'}
        title={t('report.correctTitle')}
        label={t('report.correctionReason')}
        required={t('report.correctionReasonRequired')}
        hint={t('report.correctHint')}
        okText={t('report.correct')}
        testId="correct"
        minLength={2}
        onClose={() => setDialog(null)}
        onSubmit={async (reason) => {
          await handlers.correct(reason);
          setDialog(null);
        }}
      />
    </>
  );
}

function CommentModal({ open, title, label, required, hint, okText, danger, testId, minLength, onSubmit, onClose }: {
  open: boolean;
  title: string;
  label: string;
  required: string;
  hint?: string;
  okText: string;
  danger?: boolean;
  testId: string;
  minLength: number;
  onSubmit(text: string): Promise<void>;
  onClose(): void;
}) {
  const [form] = Form.useForm<{ text: string }>();
  const [busy, setBusy] = useState(false);

  async function submit({ text }: { text: string }) {
    setBusy(true);
    try {
      await onSubmit(text.trim());
    } catch (error) {
      form.setFields([{ name: 'text', errors: [errorTitle(error)] }]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      okButtonProps={{ danger, loading: busy, 'data-testid': `${testId}-submit` }}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
      data-testid={`${testId}-modal`}
    >
      {hint && <p style={{ color: '#8c8c8c' }}>{hint}</p>}
      <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item name="text" label={label} rules={[{ required: true, whitespace: true, message: required }, { min: minLength, message: required }]}>
          <Input.TextArea autoFocus autoSize={{ minRows: 3, maxRows: 8 }} maxLength={1000} showCount data-testid={`${testId}-text`} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Revoking needs the reason the HIS will be told and the signer's PIN (intent), like an approval. */
function RevokeModal({ open, onSubmit, onClose }: { open: boolean; onSubmit(reason: string, pin: string): Promise<void>; onClose(): void }) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string; pin: string }>();
  const [busy, setBusy] = useState(false);

  async function submit({ reason, pin }: { reason: string; pin: string }) {
    setBusy(true);
    try {
      await onSubmit(reason.trim(), pin);
      form.resetFields();
    } catch (error) {
      form.setFields([{ name: 'pin', errors: [errorTitle(error)] }]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={t('report.revokeTitle')} okText={t('report.revoke')} okButtonProps={{ danger: true, loading: busy, htmlType: 'submit', form: 'revoke-form' }} onCancel={onClose} destroyOnHidden>
      <p>{t('report.revokeHint')}</p>
      <Form id="revoke-form" form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="reason" label={t('report.revocationReason')} rules={[{ required: true, min: 2, whitespace: true, message: t('report.revocationReasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={1000} data-testid="revoke-reason" />
        </Form.Item>
        <Form.Item name="pin" label={t('sign.secretLabel')} rules={[{ required: true, message: t('sign.pinRequired') }]}>
          <Input.Password autoComplete="off" data-testid="revoke-pin" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
