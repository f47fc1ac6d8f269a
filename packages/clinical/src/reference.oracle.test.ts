/**
 * Acceptance test against the GLI web calculator's own output (gli-calculator.ersnet.org grid, 1000 people,
 * 17 parameters; copied from ../shared/reference/gli/, provenance in src/test-data/README.md).
 * Every non-empty value must equal ours after rounding to 3 dp; an empty cell means the calculator refused, and
 * we must refuse too (default policy).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSimpleCsv } from './test-data/csv-for-tests.ts';
import { evaluate } from './reference.ts';
import type { EquationId, Gli2012Ethnicity, ParamId } from './types.ts';

const rows = parseSimpleCsv(
  readFileSync(path.resolve(import.meta.dirname, 'test-data/gli_calculator_oracle_1000.csv'), 'utf8'),
);

const COLUMNS: Array<[string, EquationId, ParamId]> = [
  ['fev1', 'gli2012', 'FEV1'], ['fvc', 'gli2012', 'FVC'], ['fev1fvc', 'gli2012', 'FEV1FVC'],
  ['fef2575', 'gli2012', 'FEF2575'], ['fef75', 'gli2012', 'FEF75'],
  ['tlco', 'gli2017', 'TLCO_SI'], ['dlco', 'gli2017', 'DLCO_trad'], ['kcosi', 'gli2017', 'KCO_SI'],
  ['kcotr', 'gli2017', 'KCO_trad'], ['va', 'gli2017', 'VA'],
  ['frc', 'gli2021', 'FRC'], ['tlc', 'gli2021', 'TLC'], ['rv', 'gli2021', 'RV'], ['rvtlc', 'gli2021', 'RVTLC'],
  ['erv', 'gli2021', 'ERV'], ['ic', 'gli2021', 'IC'], ['vc', 'gli2021', 'VC'],
];

let totalCompared = 0;
const round3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

describe('GLI calculator oracle (1000 people × 17 parameters)', () => {
  it('has the expected size', () => {
    expect(rows).toHaveLength(1000);
  });

  for (const [column, equation, param] of COLUMNS) {
    // (one test per parameter below)
    it(`${column}: predicted, LLN and ULN reproduce the calculator at 3 dp; refusals match`, () => {
      const mismatches: string[] = [];
      let compared = 0;
      for (const row of rows) {
        const subject = {
          sex: row.sex as 'male' | 'female',
          ageYears: Number(row.age),
          heightCm: Number(row.height_cm),
          ethnicity: Number(row.ethnicity) as Gli2012Ethnicity,
        };
        const result = evaluate(equation, param, subject);
        for (const [suffix, ours] of [
          ['predicted', result.predicted],
          ['lln', result.lln],
          ['uln', result.uln],
        ] as const) {
          const expected = row[`${column}_${suffix}`] ?? '';
          if (expected === '') {
            if (result.status !== 'refused') mismatches.push(`${JSON.stringify(subject)} ${suffix}: calculator refused, we computed`);
            continue;
          }
          compared++;
          if (round3(ours) !== Number(expected)) {
            mismatches.push(`${JSON.stringify(subject)} ${suffix}: expected ${expected}, got ${ours}`);
          }
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(mismatches).toHaveLength(0);
      expect(compared).toBeGreaterThan(2500);
      totalCompared += compared;
    });
  }

  it('compared all 47,742 non-empty calculator values', () => {
    expect(totalCompared).toBe(47_742);
  });

  it('is able to fail: flooring the age to the quarter year breaks the match (clinical.md §4)', () => {
    let mismatches = 0;
    for (const row of rows.slice(0, 200)) {
      const ageYears = Math.floor(Number(row.age) * 4) / 4;
      const result = evaluate('gli2012', 'FEV1', {
        sex: row.sex as 'male' | 'female', ageYears, heightCm: Number(row.height_cm),
        ethnicity: Number(row.ethnicity) as Gli2012Ethnicity,
      });
      if (round3(result.predicted) !== Number(row.fev1_predicted)) mismatches++;
    }
    expect(mismatches).toBeGreaterThan(0);
  });
});
