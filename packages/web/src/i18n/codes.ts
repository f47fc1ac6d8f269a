import { useT } from './I18nProvider.tsx';
import { type MessageKey, zh } from './zh.ts';

export type CodeGroup = 'sex' | 'visitType' | 'examStatus' | 'importStatus' | 'importSource' | 'importFormat' | 'reportStatus' | 'step' | 'pattern' | 'severity';

/** Labels a code the server sends (sex, visit type, exam status, …); an unknown code is shown as it is. */
export function useCodeLabel() {
  const t = useT();
  return (group: CodeGroup, code: string | null | undefined): string => {
    if (!code) return '—';
    const key = `${group}.${code}`;
    return key in zh ? t(key as MessageKey) : code;
  };
}
