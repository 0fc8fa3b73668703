// A CSV of patient data handed over as a file (issue 10, sections 1 and 2; issue 20, section 3): the started
// audit row (what, how many, the accounts it lists, to where and the temporary file: never a name) before the
// first byte is written; then the file is written and sealed as a temporary file and renamed into place with
// its completing row, or, written to a device or a pipe, completed after its last byte. A CSV that is not
// handed over (a full disk) gets an abandoned row. The caseload of `cx offboard --out` and the list of
// `cx family --audit --out` go out this way.
import { CxError } from '../errors.js';
import type { OutputFile } from '../files/output-file.js';
import { plural } from '../rules/plural.js';
import type { ActionDeps, ActionResult } from './common.js';
import { abandon, completeDirect, handOverFile, notHandedOver, recordStart, startFailed, type Handover, type Started } from './handover.js';

export type CsvWrite = { outcome: 'done'; path: string } | { outcome: 'failed'; path: string; error: CxError | ActionResult };

export async function handOverCsv(deps: ActionDeps, output: OutputFile, h: Handover, csv: string): Promise<CsvWrite> {
  const failed = (error: CxError | ActionResult): CsvWrite => ({ outcome: 'failed', path: output.path, error });
  try {
    let started: Started;
    try {
      started = await recordStart(deps, h, {});
    } catch (err) {
      if (err instanceof CxError) throw err; // the mirror busy past the wait (exit 7): nothing was written
      return failed(startFailed(h, output.path, err));
    }
    if ('prior' in started) return failed(started.prior);
    try {
      output.write(csv);
      output.seal();
    } catch (err) {
      output.discard();
      const gone = output.direct ? `after ${plural(output.bytesWritten, 'byte')} had gone to the ${output.direct} ${output.path}` : 'the temporary file was removed';
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

function settled(output: OutputFile, r: ActionResult): CsvWrite {
  return r.outcome === 'done' ? { outcome: 'done', path: output.path } : { outcome: 'failed', path: output.path, error: r };
}
