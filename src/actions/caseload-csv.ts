// The caseload CSV of `cx offboard --out` (issue 10, sections 1 and 2): client names and appointment dates,
// so it is handed over like a notes zip: written and sealed as a temporary file, then a started audit row
// (provider, ticket, number of clients, path: never a name), then renamed into place with its completing
// `offboard.caseload_csv` row. Also for a provider terminated before: the report is PHI all the same.
import { CxError } from '../errors.js';
import type { OutputFile } from '../files/output-file.js';
import { toCsv } from '../rules/csv-safe.js';
import { result, type ActionDeps, type ActionResult } from './common.js';
import { completeDirect, handOverFile, recordStart, type Handover } from './handover.js';
import { CASELOAD_COLUMNS } from './offboard.js';
import type { CaseloadEntry } from './result.js';
import { plural, thousands } from '../rules/plural.js';

export type CaseloadWrite = { outcome: 'done'; path: string } | { outcome: 'failed'; path: string; error: CxError | ActionResult };

export async function writeCaseloadCsv(deps: ActionDeps, output: OutputFile, providerId: string, clients: readonly CaseloadEntry[]): Promise<CaseloadWrite> {
  const h = handover(output, providerId, clients);
  try {
    if (output.direct) {
      const started = await recordStart(deps, h, {});
      if ('prior' in started) return { outcome: 'failed', path: output.path, error: started.prior };
      output.write(toCsv(CASELOAD_COLUMNS, clients));
      output.seal();
      return settled(output, await completeDirect(deps, h, started.id, {}));
    }
    output.write(toCsv(CASELOAD_COLUMNS, clients));
    output.seal();
    return settled(output, await handOverFile(deps, output, h, {}));
  } catch (err) {
    if (err instanceof CxError) return { outcome: 'failed', path: output.path, error: err }; // e.g. a full disk
    throw err;
  } finally {
    output.discard();
  }
}

function settled(output: OutputFile, r: ActionResult): CaseloadWrite {
  return r.outcome === 'done' ? { outcome: 'done', path: output.path } : { outcome: 'failed', path: output.path, error: r };
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
