// `cx db init`: the mirror at the schema this cx knows. Opening it makes the file or runs the migrations it
// has not seen (src/store/db.ts); this says where it is and at which schema.
import { schemaVersion, type Db } from '../store/db.js';
import { SCHEMA_VERSION } from '../store/schema.js';

export interface MirrorReady {
  path: string;
  schema_version: number;
}

/** A dry run with no mirror yet: the file it would make, at the current schema. */
export function initPlan(path: string): MirrorReady & { dry_run: true } {
  return { path, schema_version: SCHEMA_VERSION, dry_run: true };
}

/** An opened mirror: where it is and the schema it is at now. */
export function mirrorReady(db: Db, path: string): MirrorReady {
  return { path, schema_version: schemaVersion(db) };
}
