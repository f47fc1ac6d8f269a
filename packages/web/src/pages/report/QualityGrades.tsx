import { Tag } from 'antd';
import { useI18n } from '../../i18n/I18nProvider.tsx';
import type { ReportContent } from './api.ts';

/** The draft's quality with the post-bronchodilator grades and the device's own grade (absent from older drafts). */
export type QualityWithExtras = NonNullable<ReportContent['quality']>;

export function gradeColour(grade: string | null) {
  if (!grade) return 'default';
  if (grade === 'A' || grade === 'B') return 'green';
  if (grade === 'C') return 'gold';
  return 'red';
}

/** As the server decides it: the device graded differently from our ATS/ERS 2019 grades, so both are shown. */
export function deviceGradeDiffers(q: QualityWithExtras): boolean {
  if (q.source !== 'ats2019' || !q.device) return false;
  return q.device.toUpperCase() !== (q.fev1 ?? '') || q.device.toUpperCase() !== (q.fvc ?? '');
}

/**
 * What follows the pre-bronchodilator grades: the post-bronchodilator stage's own ATS/ERS 2019 grades, and the
 * device's grade when it differs from ours (clinical.md §7.3: keep and show both).
 */
export function QualityExtras({ quality }: { quality: QualityWithExtras }) {
  const { t } = useI18n();
  const post = quality.post ?? null;
  const differs = deviceGradeDiffers(quality);
  if (!post && !differs) return null;
  return (
    <>
      {post && (
        <span data-testid="quality-grade-post" style={{ marginLeft: 8 }}>
          {t('report.post')} FEV1 <Tag color={gradeColour(post.fev1)}>{post.fev1 ?? '—'}</Tag>FVC <Tag color={gradeColour(post.fvc)}>{post.fvc ?? '—'}</Tag>
          {t('report.qualityAts', { fev1: post.acceptableFev1 ?? '—', fvc: post.acceptableFvc ?? '—' })}
        </span>
      )}
      {differs && (
        <span data-testid="quality-grade-device" style={{ marginLeft: 8 }}>
          <Tag color={gradeColour(quality.device!)}>{t('report.qualityDeviceDiffers', { grade: quality.device! })}</Tag>
        </span>
      )}
    </>
  );
}
