import { z } from 'zod';

const code = z.string().trim().regex(/^[A-Za-z0-9_-]{1,32}$/, '代码只能包含字母、数字、下划线和连字符（最多 32 位）');
const kind = z.enum(['pft_lab', 'clinical', 'administrative'], { error: '科室类型不正确' });

export const CampusBody = z.object({
  code,
  name: z.string().trim().min(1, '请输入院区名称').max(64),
  nameEn: z.string().trim().max(128).nullish(),
  address: z.string().trim().max(256).nullish(),
  active: z.boolean().optional(),
});
export const CampusPatch = CampusBody.omit({ code: true }).partial();

export const DepartmentBody = z.object({
  campusId: z.uuid('院区编号格式不正确'),
  code,
  name: z.string().trim().min(1, '请输入科室名称').max(64),
  nameEn: z.string().trim().max(128).nullish(),
  kind: kind.optional(),
  active: z.boolean().optional(),
});
export const DepartmentPatch = DepartmentBody.omit({ campusId: true, code: true }).partial();

export const DepartmentView = z.object({
  id: z.string(),
  campusId: z.string(),
  code: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  kind,
  active: z.boolean(),
});
export const CampusView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  address: z.string().nullable(),
  active: z.boolean(),
  departments: z.array(DepartmentView),
});
export const CampusList = z.array(CampusView);
