import * as fs from 'fs';

/**
 * One row of the table `npm run test:faults` prints (scripts/faults.sh),
 * as the unit-level fuzz specs report it. The fault specs of ui-tests/faults
 * write the same rows.
 */
export type FaultRow = {
  fault: string;
  checked: string;
  result: 'passed' | 'FAILED';
  logged?: number | null;
  stored?: number | null;
  lost?: number | null;
  files?: number | null;
  torn?: number | null;
  planted?: number | null;
  leaked?: number | null;
  exceptions: number;
  notes?: string[];
  seconds: number;
};

/**
 * Append a row to the results file the fault suite names in
 * `RUNS_FAULT_RESULTS`; nothing when the specs run on their own.
 */
export function reportFaultRow(row: FaultRow): void {
  const file = process.env.RUNS_FAULT_RESULTS;
  if (!file) {
    return;
  }
  fs.appendFileSync(
    file,
    JSON.stringify({
      logged: null,
      stored: null,
      lost: null,
      files: null,
      torn: null,
      planted: null,
      leaked: null,
      notes: [],
      error: null,
      ...row
    }) + '\n'
  );
}
