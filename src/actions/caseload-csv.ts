// The caseload CSV of `cx offboard --out` (issue 10, sections 1 and 2): client names and appointment dates,
// so it is handed over like a notes zip: written and sealed as a temporary file, then a started audit row
// (provider, ticket, number of clients, path: never a name), then renamed into place with its completing
// `offboard.caseload_csv` row. Also for a provider terminated before: the report is PHI all the same.
import type { OutputFile } from '../files/output-file.js';
import { toCsv } from '../rules/csv-safe.js';
import { result, type ActionDeps } from './common.js';
import { handOverCsv, type CsvWrite } from './csv-handover.js';
import type { Handover } from './handover.js';
import { CASELOAD_COLUMNS } from './offboard.js';
import type { CaseloadEntry } from './result.js';
import { plural, thousands } from '../rules/plural.js';

export type CaseloadWrite = CsvWrite;

export function writeCaseloadCsv(deps: ActionDeps, output: OutputFile, providerId: string, clients: readonly CaseloadEntry[]): Promise<CaseloadWrite> {
  return handOverCsv(deps, output, handover(output, providerId, clients), toCsv(CASELOAD_COLUMNS, clients));
}

function handover(output: OutputFile, providerId: string, clients: readonly CaseloadEntry[]): Handover {
  const leave = clients.filter((c) => c.may_leave).length;
  const to = output.direct ? `the ${output.direct} ${output.path}` : output.path;
  const what = `the caseload of provider ${providerId} (${plural(clients.length, 'client')}: ${thousands(leave)} may leave, ${thousands(clients.length - leave)} stay)`;
  return {
    action: 'offboard.caseload_csv',
    done: result('done', `wrote ${what} to ${to}`, providerId),
    startedDetail: `writing ${what} to ${to}`,
    doneDetail: `wrote ${what} to ${to}`,
  };
}
