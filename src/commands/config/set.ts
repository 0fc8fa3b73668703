// `cx config set <key> <value>`: one setting into the config file (as `gh config set`), checked with the
// rules every run reads it with, written atomically and owner-only (src/config/config-write.ts).
import type { Command } from 'commander';
import { readConfigDocument, valueToStore, writeConfigDocument } from '../../config/config-write.js';
import { EXIT } from '../../errors.js';
import { printOutcome, type Said } from '../../render/index.js';
import { handleBare, type Runtime } from '../../cmdutil/define.js';
import { helpAfter } from '../../cmdutil/help.js';
import { overriddenBy } from './unset.js';

export function configure(cmd: Command, runtime: Runtime): void {
  helpAfter(cmd, [
    'Keys: db, policy, agent, tz, desk, platform_url (README "Settings"). A value is checked as every cx run ' +
      'checks the file, and a refused one is not written (exit 2). A relative db or policy path is taken from ' +
      'the current folder; ~/ stays as typed. The file is written whole, mode 0600, in one step; a folder ' +
      'missing on a fresh machine is made. The platform secret never goes in the file.',
  ]);
  handleBare(cmd, runtime, async (run, key: string, value: string) => {
    const doc = readConfigDocument(run.io.env);
    const stored = valueToStore(doc, key, value, process.cwd());
    const note = overriddenBy(run.io.env, key);
    // --json: the outcome object (outcome, detail) with the key, the value as stored and the file.
    const say = (said: Said): number => {
      printOutcome(run, said, note, { ...said, key, value: stored, config_file: doc.path });
      return EXIT.ok;
    };
    if (doc.values[key] === stored) return say({ outcome: 'already_done', detail: `${key} is already ${JSON.stringify(stored)} in ${doc.path}` });
    if (run.dryRun) return say({ outcome: 'planned', detail: `would set ${key} to ${JSON.stringify(stored)} in ${doc.path}` });
    writeConfigDocument(doc, { ...doc.values, [key]: stored });
    return say({ outcome: 'done', detail: `set ${key} to ${JSON.stringify(stored)} in ${doc.path}` });
  });
}
