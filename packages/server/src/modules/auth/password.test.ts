import { describe, expect, it } from 'vitest';
import { defaultPolicy, hashPassword, passwordExpiresAt, passwordProblems, verifyPassword } from './password.js';

describe('password policy', () => {
  it('accepts a long password mixing three classes', () => {
    expect(passwordProblems(defaultPolicy, 'Lung-function7', 'li')).toEqual([]);
  });

  it('names each broken rule in Chinese', () => {
    expect(passwordProblems(defaultPolicy, 'short', 'li')).toEqual(['密码长度至少 10 位', '密码须包含小写字母、大写字母、数字、符号中的至少 3 类']);
    expect(passwordProblems(defaultPolicy, 'Zhangsan-2026', 'zhangsan')).toEqual(['密码不能包含用户名']);
  });

  it('expires after the configured days, or never with 0', () => {
    const changed = new Date('2026-01-01T00:00:00Z');
    expect(passwordExpiresAt(defaultPolicy, changed)?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(passwordExpiresAt({ ...defaultPolicy, passwordMaxAgeDays: 0 }, changed)).toBeNull();
  });

  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('Lung-function7');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, 'Lung-function7')).toBe(true);
    expect(await verifyPassword(hash, 'lung-function7')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});
