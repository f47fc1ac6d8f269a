import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useI18n } from './I18nProvider.tsx';

export function LanguageSwitch({ type = 'text' }: { type?: 'text' | 'default' }) {
  const { language, setLanguage, t } = useI18n();
  return (
    <Button type={type} icon={<GlobalOutlined />} data-testid="language-switch" onClick={() => setLanguage(language === 'en' ? 'zh-CN' : 'en')}>
      {t('lang.switch')}
    </Button>
  );
}
