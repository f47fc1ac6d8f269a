import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff.js';

describe('line diff', () => {
  it('marks removed, added and unchanged lines in order', () => {
    expect(lineDiff('a\nb\nc', 'a\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
    expect(lineDiff('x', 'x')).toEqual([{ kind: 'same', text: 'x' }]);
  });
});
