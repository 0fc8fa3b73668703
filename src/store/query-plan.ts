// Whether a statement searches an index or reads a whole table: SQLite's EXPLAIN QUERY PLAN, read.
import type { Db } from './db.js';

/** The plan lines that read a whole table (or a whole index) rather than searching it; [] when none. */
export function tableScans(db: Db, text: string): string[] {
  const params: Record<string, null> = {};
  for (const m of text.matchAll(/@(\w+)/g)) params[m[1]!] = null;
  const positional = (text.match(/\?/g) ?? []).map(() => null);
  const stmt = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${text}`);
  const rows = positional.length ? stmt.all(...positional) : stmt.all(params);
  const lines = rows.map((r) => r.detail);
  // A co-routine or subquery is a handful of rows already found through an index: scanning it is fine.
  const derived = new Set(lines.flatMap((l) => /^(?:CO-ROUTINE|MATERIALIZE) (.+)$/.exec(l)?.[1] ?? []));
  return lines.filter((l) => {
    if (/AUTOMATIC/.test(l)) return true; // an index built on the fly means a scan first
    const scanned = /^SCAN (.+?)(?: USING .*)?$/.exec(l)?.[1];
    return scanned !== undefined && scanned !== 'CONSTANT ROW' && !/^\(subquery-\d+\)$/.test(scanned) && !derived.has(scanned);
  });
}
