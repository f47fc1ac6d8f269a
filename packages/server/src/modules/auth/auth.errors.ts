import { AppError } from '../../platform/errors.js';

export const invalidCredentials = (remainingAttempts?: number) =>
  new AppError({
    code: 'auth.invalid-credentials',
    status: 401,
    title: remainingAttempts === undefined ? '用户名或密码错误' : `用户名或密码错误，再输错 ${remainingAttempts} 次账户将被锁定`,
    extra: remainingAttempts === undefined ? {} : { remainingAttempts },
  });

export const accountLocked = (until: Date) =>
  new AppError({
    code: 'auth.locked',
    status: 423,
    title: `账户已锁定，请于 ${formatBeijing(until)} 后重试`,
    extra: { lockedUntil: until.toISOString() },
  });

export const accountDisabled = () =>
  new AppError({ code: 'auth.disabled', status: 403, title: '账户已停用，请联系安全管理员' });

export const sessionExpired = () => new AppError({ code: 'auth.session-expired', status: 401, title: '登录已超时，请重新登录' });

export const wrongState = () => new AppError({ code: 'auth.wrong-step', status: 409, title: '当前登录步骤不需要此操作' });

export const invalidTotp = () => new AppError({ code: 'auth.invalid-totp', status: 401, title: '动态验证码错误' });

export const weakPassword = (problems: string[]) =>
  new AppError({
    code: 'auth.weak-password',
    status: 400,
    title: problems.join('；'),
    extra: { errors: problems.map((message) => ({ field: 'newPassword', message })) },
  });

export const separationOfDuties = (officers: string[]) =>
  new AppError({
    code: 'auth.separation-of-duties',
    status: 409,
    title: '违反三员分立：系统管理、安全管理、审计管理的权限不能授予同一角色或同一用户',
    extra: { officers },
  });

/** Hospital staff read times in Beijing time whatever the server's zone. */
export function formatBeijing(date: Date): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
}
