import type { Translate } from '../../i18n/I18nProvider.tsx';

export function algorithmName(algorithm: string | null, t: Translate): string {
  if (algorithm === 'sm2') return t('sign.algorithm.sm2');
  if (algorithm === 'rsa') return t('sign.algorithm.rsa');
  return algorithm || '—';
}

/** The clinical core's warnings are English sentences; the usual ones read in Chinese here. */
export function warningText(warning: string, t: Translate): string {
  if (warning === 'sex, age or height missing: no reference values') return t('report.warning.noReference');
  if (warning === 'no pre-bronchodilator FEV1 and FVC: no interpretation') return t('report.warning.noInterpretation');
  const postTrial = /^post trial (\d+): (.*)$/.exec(warning);
  if (postTrial) return t('report.warning.postTrial', { n: postTrial[1]!, reason: postTrial[2]! });
  const trial = /^trial (\d+): (.*)$/.exec(warning);
  if (trial) return t('report.warning.trial', { n: trial[1]!, reason: trial[2]! });
  return warning;
}
