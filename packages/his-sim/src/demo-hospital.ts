/**
 * The demo hospital's organisation: a large hospital with two campuses (院区), each with a lung-function
 * laboratory and the clinical departments that order lung-function tests. Invented, not a real hospital.
 */
export interface DemoCampus {
  code: string;
  name: string;
  nameEn: string;
  address: string;
  departments: Array<{ code: string; name: string; nameEn: string; kind: 'pft_lab' | 'clinical' | 'administrative' }>;
}

export const demoHospital = {
  name: '示范医院',
  nameEn: 'PFTIS Demo Hospital',
  campuses: [
    {
      code: 'MAIN',
      name: '本部院区',
      nameEn: 'Main campus',
      address: '示范市健康路 1 号',
      departments: [
        { code: 'PFT', name: '肺功能室', nameEn: 'Lung function laboratory', kind: 'pft_lab' },
        { code: 'RESP', name: '呼吸与危重症医学科', nameEn: 'Respiratory and critical care medicine', kind: 'clinical' },
        { code: 'THOR', name: '胸外科', nameEn: 'Thoracic surgery', kind: 'clinical' },
        { code: 'PED', name: '儿科', nameEn: 'Paediatrics', kind: 'clinical' },
        { code: 'IT', name: '信息科', nameEn: 'IT department', kind: 'administrative' },
      ],
    },
    {
      code: 'EAST',
      name: '东院区',
      nameEn: 'East campus',
      address: '示范市东城大道 88 号',
      departments: [
        { code: 'PFT', name: '肺功能室', nameEn: 'Lung function laboratory', kind: 'pft_lab' },
        { code: 'RESP', name: '呼吸内科', nameEn: 'Respiratory medicine', kind: 'clinical' },
        { code: 'OCC', name: '职业病科', nameEn: 'Occupational medicine', kind: 'clinical' },
      ],
    },
  ] satisfies DemoCampus[],
};

/** One demo login per built-in role. The password is public on purpose: demo data only, never in production. */
export const demoUsers = [
  { username: 'tech', displayName: '王技师', role: 'technician', campuses: ['MAIN', 'EAST'] },
  { username: 'doctor', displayName: '李医师', role: 'reporting_physician', campuses: ['MAIN'] },
  { username: 'reviewer', displayName: '张主任医师', role: 'reviewing_physician', campuses: ['MAIN', 'EAST'] },
  { username: 'director', displayName: '陈主任', role: 'department_head', campuses: ['MAIN', 'EAST'] },
  { username: 'trainee', displayName: '赵规培医师', role: 'trainee', campuses: ['MAIN'] },
  { username: 'sysadmin', displayName: '系统管理员', role: 'system_admin', campuses: ['MAIN', 'EAST'] },
  { username: 'secadmin', displayName: '安全管理员', role: 'security_admin', campuses: ['MAIN', 'EAST'] },
  { username: 'auditor', displayName: '审计管理员', role: 'audit_admin', campuses: ['MAIN', 'EAST'] },
] as const;

export const DEMO_PASSWORD = 'Pftis@2026';

/** The demo physicians' signing PIN (电子签名密码), asked on every approval. Demo data only. */
export const DEMO_SIGNING_PIN = '123456';
