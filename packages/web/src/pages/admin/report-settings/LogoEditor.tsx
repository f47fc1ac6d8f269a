import { DeleteOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Flex, Typography, Upload } from 'antd';
import { useLocalName, useT } from '../../../i18n/I18nProvider.tsx';
import type { Campus } from '../org/api.ts';
import { LOGO_TYPES, logoProblem, readAsDataUrl } from './settings-model.ts';

/** The report logo of each campus as data: URLs keyed by campus id (a form control: value/onChange). */
export function LogoEditor({ value = {}, onChange, campuses }: { value?: Record<string, string>; onChange?(next: Record<string, string>): void; campuses: Campus[] }) {
  const t = useT();
  const localName = useLocalName();
  const { message } = App.useApp();

  async function take(campusId: string, file: File) {
    const problem = logoProblem(file);
    if (problem) {
      message.error(t(problem === 'type' ? 'reportSettings.logoWrongType' : 'reportSettings.logoTooLarge'));
      return;
    }
    try {
      onChange?.({ ...value, [campusId]: await readAsDataUrl(file) });
    } catch {
      message.error(t('reportSettings.logoUnreadable'));
    }
  }

  function remove(campusId: string) {
    const next = { ...value };
    delete next[campusId];
    onChange?.(next);
  }

  // Logos of campuses no longer listed stay in the setting until removed here.
  const rows = [...campuses.map((c) => ({ id: c.id, name: localName(c) })), ...Object.keys(value).filter((id) => !campuses.some((c) => c.id === id)).map((id) => ({ id, name: t('reportSettings.unknownCampus', { id }) }))];

  return (
    <Flex vertical gap={8} data-testid="logo-editor">
      {rows.length === 0 && <Typography.Text type="secondary">{t('reportSettings.noCampuses')}</Typography.Text>}
      {rows.map(({ id, name }) => {
        const logo = value[id];
        return (
          <Flex key={id} align="center" gap={12} wrap data-testid={`logo-${id}`} style={{ padding: 8, border: '1px solid #f0f0f0', borderRadius: 6 }}>
            <span style={{ width: 120 }}>{name}</span>
            <div style={{ width: 128, height: 48, display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#fafafa', borderRadius: 4 }}>
              {logo ? <img src={logo} alt={name} style={{ maxWidth: 128, maxHeight: 48 }} /> : <Typography.Text type="secondary">{t('reportSettings.noLogo')}</Typography.Text>}
            </div>
            <Upload
              accept={LOGO_TYPES.join(',')}
              showUploadList={false}
              beforeUpload={(file) => {
                void take(id, file);
                return false;
              }}
            >
              <Button size="small" icon={<UploadOutlined />}>
                {logo ? t('reportSettings.logoReplace') : t('reportSettings.logoUpload')}
              </Button>
            </Upload>
            {logo && (
              <Button size="small" danger icon={<DeleteOutlined />} onClick={() => remove(id)}>
                {t('reportSettings.logoRemove')}
              </Button>
            )}
          </Flex>
        );
      })}
    </Flex>
  );
}
