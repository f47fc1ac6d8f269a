// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from '../../i18n/I18nProvider.tsx';
import { deviceGradeDiffers, QualityExtras, type QualityWithExtras } from './QualityGrades.tsx';

afterEach(cleanup);

const ats = (patch: Partial<QualityWithExtras>): QualityWithExtras => ({ source: 'ats2019', fev1: 'A', fvc: 'A', acceptableFev1: 3, acceptableFvc: 3, ...patch });

function show(quality: QualityWithExtras) {
  const { container } = render(
    <I18nProvider initialLanguage="zh-CN">
      <QualityExtras quality={quality} />
    </I18nProvider>,
  );
  return container;
}

describe('quality grades beyond the baseline', () => {
  it('shows the post-bronchodilator stage’s own grades', () => {
    show(ats({ post: { fev1: 'E', fvc: 'B', acceptableFev1: 1, acceptableFvc: 2 } }));
    const post = screen.getByTestId('quality-grade-post').textContent!;
    expect(post).toContain('舒张后');
    expect(post).toMatch(/FEV1\s*E\s*FVC\s*B/);
    expect(post).toContain('可接受测试 FEV1 1 次，FVC 2 次');
    expect(screen.queryByTestId('quality-grade-device')).toBeNull();
  });

  it('shows the device’s grade beside ours only when they differ', () => {
    show(ats({ device: 'C' }));
    expect(screen.getByTestId('quality-grade-device').textContent).toBe('设备判定 C（与本系统分级不同）');
    cleanup();
    expect(show(ats({ device: 'A' })).textContent).toBe('');
    expect(deviceGradeDiffers(ats({ fvc: 'B', device: 'A' }))).toBe(true);
    // graded by the device alone: nothing to compare
    expect(deviceGradeDiffers({ source: 'device', fev1: 'C', fvc: 'C', acceptableFev1: null, acceptableFvc: null, device: 'C' })).toBe(false);
    expect(show(ats({})).textContent).toBe('');
  });
});
