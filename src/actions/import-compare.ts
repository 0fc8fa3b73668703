// Step 2 of an import: the staged rows against the mirror. Marks the rows that are new or differ (the
// only ones the apply writes) and reports, as `file:line: problem`, rows that point at no account or at
// an account of the wrong role, and addresses that another account keeps.
import type { FileSpec } from '../rules/mirror-rows.js';
import type { Db } from '../store/db.js';
import { badReferences, changesARole, markChangedRows, takenAddresses } from '../store/import-diff.js';
import type { ProblemList } from './import-problems.js';

export function compareWithMirror(db: Db, present: FileSpec[], problems: ProblemList): void {
  for (const spec of present) markChangedRows(db, spec.table);
  // A row equal to the mirror's was checked when it came in; unless an account changes role.
  const recheckAll = present.some((s) => s.table === 'accounts') && changesARole(db);
  for (const spec of present) {
    if (spec.table === 'accounts') {
      for (const t of takenAddresses(db)) problems.add(spec.file, { record: t.record }, `email already belongs to account ${t.holder}`);
    } else if (spec.table !== 'suppressions') {
      for (const r of badReferences(db, spec.table, recheckAll)) {
        problems.add(spec.file, { record: r.record }, `${r.column} ${r.id} is ${r.role ? `a ${r.role}` : 'not an account'}`);
      }
    }
  }
}
