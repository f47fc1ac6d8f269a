import type { WorklistEntry } from './worklist-entry.ts';

/** A registered outpatient spirometry exam, for the writers' tests. 09:30 on 14 March 2025 in Beijing time. */
export function sampleEntry(overrides: Partial<WorklistEntry> = {}): WorklistEntry {
  return {
    accessionNumber: 'PF202503140007',
    requestNo: 'SQ2025031400123',
    patientId: 'P000123456',
    name: '张三丰',
    sex: 'male',
    birthDate: '1958-07-09',
    heightCm: 172,
    weightKg: 68,
    visitType: 'outpatient',
    visitSerialNo: 'MZ20250314-0042',
    items: [{ code: 'FGN001', name: '肺通气功能', test: 'spirometry' }],
    requestingDepartment: { code: '0301', name: '呼吸内科门诊' },
    requestingDoctor: { code: 'D1024', name: '李医生' },
    clinicalDiagnosis: '慢性阻塞性肺疾病?',
    scheduledAt: new Date('2025-03-14T01:30:00Z'),
    ...overrides,
  };
}
