// `cx db init`: the mirror at the schema this cx knows. Opening it makes the file or runs the migrations it
// has not seen (src/store/db.ts); this says where it is and at which schema.
import { mirrorCipher, schemaVersion, type Db } from '../store/db.js';
import { SCHEMA_VERSION } from '../store/schema.js';

export interface MirrorReady {
  path: string;
  schema_version: number;
  encrypted: boolean;
  /** Where the key comes from, in words (never the key); null for a plaintext mirror or a plan. */
  key_from: string | null;
}

/** A dry run with no mirror yet: the file it would make, at the current schema. */
export function initPlan(path: string, encrypted: boolean): MirrorReady & { dry_run: true } {
  return { path, schema_version: SCHEMA_VERSION, encrypted, key_from: null, dry_run: true };
}

/** An opened mirror: where it is, the schema it is at now, and how it is kept. */
export function mirrorReady(db: Db, path: string): MirrorReady {
  const cipher = mirrorCipher(db);
  return { path, schema_version: schemaVersion(db), encrypted: cipher.encrypted, key_from: cipher.encrypted ? cipher.key.from : null };
}
