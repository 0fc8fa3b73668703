// A CSV of patient data handed over as a file (issue 10, sections 1 and 2): written and sealed as a
// temporary file, then a started audit row (what, how many, to where: never a name), then renamed into place
// with its completing row. A device or a pipe gets the started row before the first byte. The caseload of
// `cx offboard --out` and the list of `cx family --audit --out` go out this way.
import { CxError } from '../errors.js';
import type { OutputFile } from '../files/output-file.js';
import type { ActionDeps, ActionResult } from './common.js';
import { completeDirect, handOverFile, recordStart, type Handover } from './handover.js';

export type CsvWrite = { outcome: 'done'; path: string } | { outcome: 'failed'; path: string; error: CxError | ActionResult };

export async function handOverCsv(deps: ActionDeps, output: OutputFile, h: Handover, csv: string): Promise<CsvWrite> {
  try {
    if (output.direct) {
      const started = await recordStart(deps, h, {});
      if ('prior' in started) return { outcome: 'failed', path: output.path, error: started.prior };
      output.write(csv);
      output.seal();
      return settled(output, await completeDirect(deps, h, started.id, {}));
    }
    output.write(csv);
    output.seal();
    return settled(output, await handOverFile(deps, output, h, {}));
  } catch (err) {
    if (err instanceof CxError) return { outcome: 'failed', path: output.path, error: err }; // e.g. a full disk
    throw err;
  } finally {
    output.discard();
  }
}

function settled(output: OutputFile, r: ActionResult): CsvWrite {
  return r.outcome === 'done' ? { outcome: 'done', path: output.path } : { outcome: 'failed', path: output.path, error: r };
}
