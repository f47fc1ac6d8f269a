import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

export const SecurityPolicySchema = z.object({
  passwordMinLength: z.number().int().min(8, '密码最短不能少于 8 位').max(64).default(10),
  /** How many of the four classes (lower case, upper case, digits, symbols) a password must mix. */
  passwordMinClasses: z.number().int().min(1).max(4).default(3),
  /** 0: passwords never expire. */
  passwordMaxAgeDays: z.number().int().min(0).max(3650).default(90),
  lockoutThreshold: z.number().int().min(1).max(100).default(5),
  lockoutMinutes: z.number().int().min(1).max(1440).default(15),
  idleTimeoutMinutes: z.number().int().min(1).max(1440).default(30),
  sessionMaxHours: z.number().int().min(1).max(72).default(12),
  /** Administrators (系统/安全/审计管理员) must enrol a TOTP second factor. */
  mfaRequiredForAdmins: z.boolean().default(false),
});

export type SecurityPolicy = z.infer<typeof SecurityPolicySchema>;
export const defaultPolicy: SecurityPolicy = SecurityPolicySchema.parse({});

const ARGON2ID = 2; // Algorithm.Argon2id; the package's const enum cannot be imported under isolated modules.

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the user does not exist keeps the response time the same.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('pftis-no-such-user');
  await verifyPassword(await dummyHash, password);
}

/** Chinese messages for each rule the password breaks; empty when it is acceptable. */
export function passwordProblems(policy: SecurityPolicy, password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < policy.passwordMinLength) problems.push(`密码长度至少 ${policy.passwordMinLength} 位`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < policy.passwordMinClasses) {
    problems.push(`密码须包含小写字母、大写字母、数字、符号中的至少 ${policy.passwordMinClasses} 类`);
  }
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('密码不能包含用户名');
  return problems;
}

export function passwordExpiresAt(policy: SecurityPolicy, changedAt: Date): Date | null {
  if (policy.passwordMaxAgeDays === 0) return null;
  return new Date(changedAt.getTime() + policy.passwordMaxAgeDays * 86_400_000);
}
