import { describe, expect, it } from 'vitest';
import { visibleNavItems } from './navigation.tsx';

describe('navigation', () => {
  it('shows 待审核 to whoever approves at any level, not to technicians', () => {
    const keys = (permissions: string[]) => visibleNavItems(permissions).map((i) => i.key);
    expect(keys(['exam.read', 'report.draft', 'report.print'])).not.toContain('review');
    expect(keys(['exam.read', 'report.approve.level1'])).toContain('review');
    expect(keys(['exam.read', 'report.approve.level3'])).toContain('review');
  });
});
