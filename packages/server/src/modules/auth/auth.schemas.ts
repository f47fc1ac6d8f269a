import { z } from 'zod';
import { allPermissions } from '../../platform/permission-catalog.js';
import { SecurityPolicySchema } from './password.js';

export const Ok = z.object({ ok: z.literal(true) });
export const IdParams = z.object({ id: z.uuid('编号格式不正确') });

const SessionStateSchema = z.enum(['mfa', 'password_change', 'mfa_enroll', 'active']);

export const LoginBody = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(256),
});
export const LoginReply = z.object({ state: SessionStateSchema, csrfToken: z.string() });
export const StateReply = z.object({ state: SessionStateSchema });
export const TotpCodeBody = z.object({ code: z.string().regex(/^\d{6}$/, '请输入 6 位数字验证码') });
export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1, '请输入当前密码').max(256),
  newPassword: z.string().min(1, '请输入新密码').max(256),
});
export const PasswordBody = z.object({ password: z.string().min(1, '请输入密码').max(256) });
export const TotpEnrolmentReply = z.object({ secret: z.string(), otpauthUri: z.string() });
export const CampusBody = z.object({ campusId: z.uuid('院区编号格式不正确') });

const CampusRef = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const MeReply = z.object({
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    totpEnabled: z.boolean(),
    passwordExpiresAt: z.string().nullable(),
  }),
  state: SessionStateSchema,
  csrfToken: z.string(),
  permissions: z.array(z.string()),
  roles: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string() })),
  campuses: z.array(CampusRef.extend({ nameEn: z.string().nullable() })),
  campusId: z.string().nullable(),
  idleTimeoutMinutes: z.number(),
  passwordPolicy: z.object({ minLength: z.number(), minClasses: z.number() }),
});

const username = z
  .string()
  .trim()
  .min(2, '用户名至少 2 个字符')
  .max(32, '用户名最多 32 个字符')
  .regex(/^[A-Za-z0-9_.-]+$/, '用户名只能包含字母、数字、下划线、点和连字符');

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  mustChangePassword: z.boolean(),
  totpEnabled: z.boolean(),
  lastLoginAt: z.string().nullable(),
  roles: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
  campuses: z.array(CampusRef),
});
export const UserList = z.array(UserView);
export const UserQuery = z.object({ q: z.string().trim().max(64).optional() });
export const CreateUserBody = z.object({
  username,
  displayName: z.string().trim().min(1, '请输入姓名').max(64),
  password: z.string().min(1, '请输入初始密码').max(256),
  roleIds: z.array(z.uuid()).max(20).default([]),
  campusIds: z.array(z.uuid()).min(1, '请至少选择一个院区').max(50),
});
export const UpdateUserBody = z.object({
  displayName: z.string().trim().min(1, '请输入姓名').max(64).optional(),
  roleIds: z.array(z.uuid()).max(20).optional(),
  campusIds: z.array(z.uuid()).min(1, '请至少选择一个院区').max(50).optional(),
  disabled: z.boolean().optional(),
});

const permissionCode = z.enum(allPermissions as [string, ...string[]], { error: '未知权限' });
export const RoleView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  nameEn: z.string(),
  description: z.string(),
  builtin: z.boolean(),
  administrative: z.boolean(),
  permissions: z.array(z.string()),
  userCount: z.number(),
});
export const RoleList = z.array(RoleView);
export const CreateRoleBody = z.object({
  code: z.string().trim().regex(/^[a-z][a-z0-9_]{1,31}$/, '角色代码须为小写字母开头的字母、数字或下划线'),
  name: z.string().trim().min(1, '请输入角色名称').max(32),
  nameEn: z.string().trim().min(1, '请输入英文名称').max(64),
  description: z.string().max(200).optional(),
  permissions: z.array(permissionCode).max(200),
});
export const UpdateRoleBody = CreateRoleBody.omit({ code: true }).partial();
export const PermissionList = z.array(z.object({ code: z.string(), group: z.string(), name: z.string(), nameEn: z.string() }));

export const PolicyBody = SecurityPolicySchema;
