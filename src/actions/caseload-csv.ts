// The caseload CSV of `cx offboard --out` (issue 10, sections 1 and 2): client names and appointment dates,
// so it is handed over like a notes zip (src/actions/csv-handover.ts): a started audit row (provider, ticket,
// the clients listed, kept with the row, path: never a name) before the first byte is written, then the file
// is written and sealed as a temporary file and renamed into place with its completing
// `offboard.caseload_csv` row. Also for a provider terminated before: the report is PHI all the same.
import type { OutputFile } from '../files/output-file.js';
import { idList } from '../rules/audit-accounts.js';
import { toCsv } from '../rules/csv-safe.js';
import { plural, thousands } from '../rules/plural.js';
import { result, type ActionDeps } from './common.js';
import { handOverCsv, type CsvWrite } from './csv-handover.js';
import { writtenFirst, type Handover } from './handover.js';
import { CASELOAD_COLUMNS } from './offboard.js';
import type { CaseloadEntry } from './result.js';

export type CaseloadWrite = CsvWrite;

export function writeCaseloadCsv(deps: ActionDeps, output: OutputFile, providerId: string, clients: readonly CaseloadEntry[]): Promise<CaseloadWrite> {
  return handOverCsv(deps, output, handover(output, providerId, clients), toCsv(CASELOAD_COLUMNS, clients));
}

function handover(output: OutputFile, providerId: string, clients: readonly CaseloadEntry[]): Handover {
  const leave = clients.filter((c) => c.may_leave).length;
  const to = output.direct ? `the ${output.direct} ${output.path}` : output.path;
  const ids = clients.map((c) => c.id);
  const what = `the caseload of provider ${providerId} (${plural(clients.length, 'client')}: ${thousands(leave)} may leave, ${thousands(clients.length - leave)} stay${ids.length ? `: ${idList(ids)}` : ''})`;
  return {
    action: 'offboard.caseload_csv',
    done: result('done', `wrote ${what} to ${to}`, providerId),
    startedDetail: `writing ${what} to ${to}${writtenFirst(output)}`,
    doneDetail: `wrote ${what} to ${to}`,
    accounts: ids,
  };
}
