// `cx db encrypt` and `cx db rekey` (docs/reference.md#encryption-and-keys): what each may do to the mirror as it
// is, before the store converts it (src/store/mirror-convert.ts). A plaintext mirror is encrypted in place,
// migrations due first; an encrypted one is already done. A rekey needs an encrypted mirror, and a place
// for the new key: cx's own places when the old key was there, else the file --new-key-file names (cx
// cannot change what CX_DB_KEY or CX_DB_KEY_FILE give). An interrupted conversion is finished first.
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { MirrorKeys } from '../store/cipher.js';
import { mirrorCipher, type Db } from '../store/db.js';
import { convertMirror, finishInterrupted, type Converted } from '../store/mirror-convert.js';

export interface ConvertDeps {
  /** The mirror's path, as the agent named it. */
  path: string;
  keys: MirrorKeys;
  /** Open the mirror (migrated); called once any interrupted conversion is finished. */
  open: () => Db;
  agent: string;
  now: Date;
  ticket: string | null;
  dryRun: boolean;
  /** Where a new key would go, in words (for a dry run). */
  destination: string;
}

export interface ConvertResult extends Partial<Converted> {
  outcome: 'done' | 'already_done' | 'planned';
  detail: string;
  account_id: null;
  path: string;
}

export function encryptMirror(deps: ConvertDeps): ConvertResult {
  if (!deps.dryRun) finishInterrupted(deps.path, deps.keys);
  const db = deps.open();
  const cipher = mirrorCipher(db);
  if (cipher.encrypted) {
    db.close();
    return { outcome: 'already_done', detail: `${deps.path} is already encrypted (mirror id ${cipher.id}, key from ${cipher.key.from})`, account_id: null, path: deps.path, mirror_id: cipher.id };
  }
  if (deps.dryRun) {
    db.close();
    return { outcome: 'planned', detail: `would encrypt ${deps.path} in place; its key would go to ${deps.destination}`, account_id: null, path: deps.path };
  }
  const newKey = deps.keys.newKey();
  if (!newKey) throw new Error('encrypting needs a key source that gives keys');
  const done = convertMirror(db, deps.path, newKey, deps.keys, { action: 'db.encrypt', agent: deps.agent, ticket: deps.ticket, now: deps.now });
  return { outcome: 'done', detail: `encrypted ${deps.path} (mirror id ${done.mirror_id}); its key is in ${done.key_kept}`, account_id: null, path: deps.path, ...done };
}

export function rekeyMirror(deps: ConvertDeps & { newKeyFile?: string }): ConvertResult {
  if (deps.newKeyFile && existsSync(deps.newKeyFile)) {
    throw new UsageError(`--new-key-file ${deps.newKeyFile} already exists: cx does not replace a key file`, 'name a new file');
  }
  if (!deps.dryRun) finishInterrupted(deps.path, deps.keys);
  const db = deps.open();
  const cipher = mirrorCipher(db);
  if (!cipher.encrypted) {
    db.close();
    throw new UsageError(`${deps.path} is not encrypted, so it has no key to replace`, { text: 'Encrypt it (it gets its own key):', commands: ['cx db encrypt'] });
  }
  if (!cipher.key.keptByCx && !deps.newKeyFile) {
    db.close();
    throw new UsageError(`the key comes from ${cipher.key.from}, which cx cannot change: name a new file for the new key`, {
      text: 'cx writes the new key there (a new file, mode 600); then point CX_DB_KEY_FILE at it:',
      commands: [`cx db rekey --new-key-file /path/to/new.key`],
    });
  }
  const where = deps.newKeyFile ? `the file ${deps.newKeyFile}` : deps.destination;
  if (deps.dryRun) {
    db.close();
    return { outcome: 'planned', detail: `would give ${deps.path} a new key in ${where}; the old one (from ${cipher.key.from}) would no longer open it`, account_id: null, path: deps.path };
  }
  const newKey = deps.keys.freshKey(deps.newKeyFile);
  const done = convertMirror(db, deps.path, newKey, deps.keys, { action: 'db.rekey', agent: deps.agent, ticket: deps.ticket, now: deps.now });
  const old = done.old_key_removed ? `the old key was removed from ${cipher.key.from}` : `the old key (${cipher.key.from}) no longer opens it: change that setting to the new key`;
  return { outcome: 'done', detail: `gave ${deps.path} a new key (mirror id ${done.mirror_id}), in ${done.key_kept}; ${old}`, account_id: null, path: deps.path, ...done };
}
