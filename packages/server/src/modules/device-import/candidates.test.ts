import { emptyExtraction } from '@pftis/formats/device-report/extraction';
import { describe, expect, it } from 'vitest';
import { automaticMatch, type CandidateExam, identityConflicts, rankCandidates } from './candidates.js';

const exam = (over: Partial<CandidateExam>): CandidateExam => ({
  id: 'e1', accessionNo: 'A1', requestNo: null, visitSerialNo: null, examDate: '2026-12-07', status: 'registered', deviceId: null,
  hisPatientId: 'P1', patientName: '张三', sex: 'male', birthDate: '1960-02-01', ...over,
});
const result = (over: { ids?: object; patient?: object; measuredAt?: string }) => {
  const r = emptyExtraction('gdt');
  Object.assign(r.identifiers, over.ids);
  Object.assign(r.patient, over.patient);
  r.test.measuredAt = over.measuredAt ?? null;
  return r;
};

describe('identity', () => {
  it('agrees on the same name written with spaces or separators, and names every field that differs', () => {
    expect(identityConflicts({ ...result({}).patient, name: '张 三', sex: 'M' }, exam({}))).toEqual([]);
    expect(identityConflicts({ ...result({}).patient, name: '张山', sex: 'F', birthDate: '1960-02-02' }, exam({}))).toEqual([
      { field: 'name', device: '张山', his: '张三' }, { field: 'sex', device: 'F', his: 'M' }, { field: 'birthDate', device: '1960-02-02', his: '1960-02-01' },
    ]);
  });
});

describe('automatic binding', () => {
  const today = '2026-12-07';
  it('binds by accession, order, visit serial, or the patient\'s single open exam of the test day', () => {
    const exams = [exam({ id: 'a', accessionNo: 'A1' }), exam({ id: 'b', accessionNo: 'A2', requestNo: 'R2', hisPatientId: 'P2' }), exam({ id: 'c', accessionNo: 'A3', visitSerialNo: 'MZ3', hisPatientId: 'P3' })];
    expect(automaticMatch(result({ ids: { accessionNo: 'A1' } }), exams, today)).toMatchObject({ exam: { id: 'a' } });
    expect(automaticMatch(result({ ids: { requestNo: 'R2' } }), exams, today)).toMatchObject({ exam: { id: 'b' } });
    expect(automaticMatch(result({ ids: { outpatientSerial: 'MZ3' } }), exams, today)).toMatchObject({ exam: { id: 'c' } });
    expect(automaticMatch(result({ ids: { patientId: 'P2' } }), exams, today)).toMatchObject({ exam: { id: 'b' } });
    expect(automaticMatch(result({ ids: { patientId: 'P2' }, measuredAt: '2026-12-06T10:00' }), exams, today)).toEqual({ exam: null, reason: 'no single open exam for this patient on the test day' });
    // An exam that already has results still takes a second file (its printout came first); a reported one does not.
    expect(automaticMatch(result({ ids: { patientId: 'P2' } }), [exam({ id: 'r', hisPatientId: 'P2', status: 'results' })], today)).toMatchObject({ exam: { id: 'r' } });
    expect(automaticMatch(result({ ids: { patientId: 'P2' } }), [exam({ id: 'd', hisPatientId: 'P2', status: 'draft' })], today)).toMatchObject({ exam: null });
  });

  it('leaves an ambiguous or contradicted match to a person, saying why', () => {
    const twice = [exam({ id: 'a', accessionNo: 'A1' }), exam({ id: 'b', accessionNo: 'A2' })];
    expect(automaticMatch(result({ ids: { patientId: 'P1' } }), twice, today)).toEqual({ exam: null, reason: '2 exams match patient P1 on 2026-12-07' });
    expect(automaticMatch(result({ ids: { accessionNo: 'A1' }, patient: { sex: 'F' } }), twice, today)).toEqual({ exam: null, reason: 'identity differs from the HIS for accession number A1: sex F ≠ M' });
    expect(automaticMatch(result({ ids: { accessionNo: 'X' } }), twice, today)).toEqual({ exam: null, reason: 'no exam with accession number X' });
  });
});

describe('ranking for the 待匹配 queue', () => {
  it('puts the exam the identifiers and identity point to first, and a contradicted one below an agreeing one', () => {
    const exams = [
      exam({ id: 'other', accessionNo: 'A9', hisPatientId: 'P9', patientName: '李四', birthDate: '1970-01-01' }),
      exam({ id: 'same-name', accessionNo: 'A2', hisPatientId: 'P2' }),
      exam({ id: 'wrong-sex', accessionNo: 'A3', hisPatientId: 'P3', sex: 'female' }),
    ];
    const ranked = rankCandidates(result({ patient: { name: '张三', sex: 'M', birthDate: '1960-02-01' }, measuredAt: '2026-12-07T09:00' }), exams);
    expect(ranked.map((c) => c.exam.id)).toEqual(['same-name', 'wrong-sex', 'other']);
    expect(ranked[0]).toMatchObject({ reasons: ['name', 'birth-date', 'sex', 'test-day'], conflicts: [] });
    expect(ranked[1]!.conflicts).toEqual([{ field: 'sex', device: 'M', his: 'F' }]);
  });
});
