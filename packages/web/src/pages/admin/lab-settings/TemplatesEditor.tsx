import { Button, Col, Collapse, Divider, Form, type FormInstance, Input, Row, Switch, Typography } from 'antd';
import type { ReactNode } from 'react';
import { lsHas, type LsMessageKey, useLsT } from './messages.ts';
import type { SettingsForm, TemplateSet } from './model.ts';

/** The families shown first, in this order, with the message prefix that names their entries. */
const MAIN_FAMILIES: Array<[family: string, prefix: string]> = [['pattern', 'pattern'], ['severity', 'severity'], ['bdr', 'bdrResult'], ['gasTransfer', 'gas']];
const ENTRY_PREFIX: Record<string, string> = { patternName: 'pattern', sexWord: 'sex' };
const FORMAT_KEYS = ['separator', 'terminator', 'capitalizeFirst'];
const isFamily = (value: unknown): value is Record<string, string> => typeof value === 'object' && value !== null;

/**
 * The editable narrative templates of one language. Which phrases exist comes from the clinical core's defaults (sent
 * by the server), so phrases it adds appear here without a change to this page.
 */
export function TemplatesEditor({ form, language, defaults, placeholders, onReset }: {
  form: FormInstance<SettingsForm>;
  language: 'zh' | 'en';
  /** The current scheme's default templates of this language. */
  defaults: TemplateSet | undefined;
  placeholders: Record<string, string[]>;
  onReset: () => void;
}) {
  const { t } = useLsT();
  const base = ['templates', language];
  const label = (key: string, fallback: string) => (lsHas(key) ? t(key as LsMessageKey) : fallback);
  const hint = (family: string) => (placeholders[family]?.length ? `${t('placeholders')}${placeholders[family]!.map((p) => `{${p}}`).join(' ')}` : undefined);

  const phraseField = (name: string[], text: string, required: boolean, extra?: string, span = 12) => (
    <Col xs={24} md={span} key={name.join('.')}>
      <Form.Item name={[...base, ...name]} label={text} extra={extra} style={{ marginBottom: 12 }} rules={[...(required ? [{ required: true, whitespace: true, message: t('templateRequired') }] : []), { max: 300 }]}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={300} data-testid={`tpl-${language}-${name.join('-')}`} />
      </Form.Item>
    </Col>
  );
  const family = (name: string, prefix: string, required: boolean): ReactNode => {
    const entries = defaults?.[name];
    if (!isFamily(entries)) return null;
    return (
      <div key={name}>
        <Divider titlePlacement="left">{label(`tpl.${name}`, name)}</Divider>
        {hint(name) && <Typography.Paragraph type="secondary">{hint(name)}</Typography.Paragraph>}
        <Row gutter={16}>{Object.keys(entries).map((key) => phraseField([name, key], label(`${prefix}.${key}`, key), required, undefined, name === 'severity' || name === 'sexWord' ? 8 : 12))}</Row>
      </div>
    );
  };

  const main = MAIN_FAMILIES.map(([name, prefix]) => family(name, prefix, name !== 'severity'));
  const known = new Set([...MAIN_FAMILIES.map(([name]) => name), ...FORMAT_KEYS]);
  const others = Object.entries(defaults ?? {}).filter(([key]) => !known.has(key));
  const otherFamilies = others.filter(([, value]) => isFamily(value)).map(([key]) => family(key, ENTRY_PREFIX[key] ?? key, key === 'patternName'));
  const otherPhrases = others.filter(([, value]) => typeof value === 'string').map(([key]) => phraseField([key], label(`tpl.${key}`, key), false, hint(key), 24));

  return (
    <div data-testid={`templates-${language}`}>
      <Button
        size="small"
        disabled={!defaults}
        data-testid={`reset-templates-${language}`}
        onClick={() => {
          if (!defaults) return;
          (form as FormInstance).setFieldValue(base, structuredClone(defaults));
          onReset();
        }}
      >
        {t('resetTemplates')}
      </Button>
      {main}
      <Divider titlePlacement="left">{t('tpl.format')}</Divider>
      <Row gutter={16}>
        <Col xs={12} md={8}>
          <Form.Item name={[...base, 'separator']} label={t('separator')}>
            <Input maxLength={10} />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name={[...base, 'terminator']} label={t('terminator')}>
            <Input maxLength={10} />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name={[...base, 'capitalizeFirst']} label={t('capitalizeFirst')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
      </Row>
      {(otherFamilies.length > 0 || otherPhrases.length > 0) && (
        <Collapse
          ghost
          items={[
            {
              key: 'more',
              forceRender: true,
              label: t('tpl.more'),
              children: (
                <>
                  <Typography.Paragraph type="secondary">{t('tpl.moreHint')}</Typography.Paragraph>
                  <Row gutter={16}>{otherPhrases}</Row>
                  {otherFamilies}
                </>
              ),
            },
          ]}
        />
      )}
    </div>
  );
}
