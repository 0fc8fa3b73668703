// The caseload CSV of `cx offboard --out` (issue 10, sections 1 and 2): client names and appointment dates,
// so it is handed over like a notes zip (src/actions/handover.ts): a started audit row (provider, ticket, the
// clients listed, kept with the row, path: never a name) before the first byte is written, then the file is
// written and sealed as a temporary file and renamed into place with its completing `offboard.caseload_csv`
// row. Also for a provider terminated before: the report is PHI all the same.
import { basename } from 'node:path';
import { CxError } from '../errors.js';
import type { OutputFile } from '../files/output-file.js';
import { idList } from '../rules/audit-accounts.js';
import { toCsv } from '../rules/csv-safe.js';
import { plural, thousands } from '../rules/plural.js';
import { result, type ActionDeps, type ActionResult } from './common.js';
import { abandon, completeDirect, handOverFile, notHandedOver, recordStart, startFailed, type Handover, type Started } from './handover.js';
import { CASELOAD_COLUMNS } from './offboard.js';
import type { CaseloadEntry } from './result.js';

export type CaseloadWrite = { outcome: 'done'; path: string } | { outcome: 'failed'; path: string; error: CxError | ActionResult };

export async function writeCaseloadCsv(deps: ActionDeps, output: OutputFile, providerId: string, clients: readonly CaseloadEntry[]): Promise<CaseloadWrite> {
  const h = handover(output, providerId, clients);
  const failed = (error: CxError | ActionResult): CaseloadWrite => ({ outcome: 'failed', path: output.path, error });
  try {
    let started: Started;
    try {
      started = await recordStart(deps, h, {});
    } catch (err) {
      if (err instanceof CxError) throw err;
      return failed(startFailed(h, output.path, err));
    }
    if ('prior' in started) return failed(started.prior);
    try {
      output.write(toCsv(CASELOAD_COLUMNS, clients));
      output.seal();
    } catch (err) {
      output.discard();
      const gone = output.direct ? `after ${output.bytesWritten} bytes had gone to the ${output.direct} ${output.path}` : 'the temporary file was removed';
      await abandon(deps, h, started.id, {}, notHandedOver(`${err instanceof Error ? err.message : String(err)}; ${gone}`));
      throw err;
    }
    if (output.direct) return settled(output, await completeDirect(deps, h, started.id, {}));
    return settled(output, await handOverFile(deps, output, h, started.id, {}));
  } catch (err) {
    if (err instanceof CxError) return failed(err); // e.g. a full disk
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
  const ids = clients.map((c) => c.id);
  const what = `the caseload of provider ${providerId} (${plural(clients.length, 'client')}: ${thousands(leave)} may leave, ${thousands(clients.length - leave)} stay${ids.length ? `: ${idList(ids)}` : ''})`;
  const first = output.direct ? '' : `, written first as ${basename(output.writingTo)}`;
  return {
    action: 'offboard.caseload_csv',
    done: result('done', `wrote ${what} to ${to}`, providerId),
    startedDetail: `writing ${what} to ${to}${first}`,
    doneDetail: `wrote ${what} to ${to}`,
    accounts: ids,
  };
}
