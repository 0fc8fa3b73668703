// Zip entry names built by cx from an allowlist, never taken raw from a title or a client name
// (issue 6, "Safe names"). archiver only strips a *leading* `../`, so every guarantee lives here.

const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
const MIN_LENGTH = 8;

/**
 * A single path segment made only of ASCII letters, digits, `-`, `_` and `.`: accents folded to ASCII
 * (NFKD), everything else replaced by `_` (runs collapsed), no `..`, no leading or trailing dot,
 * not a Windows reserved device name, at most `maxLength` characters, never empty.
 */
export function safeSegment(raw: string, maxLength = 80, fallback = 'untitled'): string {
  if (!Number.isInteger(maxLength) || maxLength < MIN_LENGTH) {
    throw new RangeError(`safeSegment: maxLength must be an integer >= ${MIN_LENGTH}`);
  }
  let s = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // combining marks left by NFKD: é -> e
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '_') // `..` never survives, whatever it was written as (‥, ．．)
    .replace(/_{2,}/g, '_');
  s = trimEdges(s);
  if (s.length > maxLength) s = trimEdges(s.slice(0, maxLength));
  if (s === '') s = trimEdges(safeFallback(fallback).slice(0, maxLength));
  if (RESERVED_WINDOWS.test(s)) s = `_${s}`.slice(0, maxLength).replace(/[.]+$/, '');
  return s;
}

/** Dots (no hidden files, no Windows trailing dot), `_` and `-` (no `-rf`-like names) at either end. */
function trimEdges(s: string): string {
  return s.replace(/^[._-]+/, '').replace(/[._-]+$/, '');
}

function safeFallback(fallback: string): string {
  const f = fallback.replace(/[^A-Za-z0-9_-]+/g, '_');
  return /[A-Za-z0-9]/.test(f) ? f : 'untitled';
}

/** True when `segment` is what safeSegment could have produced (plus a `-N` suffix or an extension). */
export function isSafeSegment(segment: string, maxLength = 120): boolean {
  return (
    segment.length > 0 &&
    segment.length <= maxLength &&
    /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(segment) &&
    !segment.startsWith('.') &&
    !segment.endsWith('.') &&
    !segment.includes('..') &&
    !RESERVED_WINDOWS.test(segment)
  );
}

/** Every `/`-separated segment is safe; no absolute path, no backslash, no empty segment, bounded. */
export function isSafeEntryName(name: string, maxLength = 240): boolean {
  if (name.length === 0 || name.length > maxLength) return false;
  return name.split('/').every((segment) => isSafeSegment(segment));
}

/**
 * Hands out entry names that are unique compared case-insensitively (as on Windows and macOS), adding
 * `-2`, `-3`… before the extension. Folders are claimed per owner key, so two clients whose names and
 * ids sanitise alike (`a/b` and `a_b`, `Ann` and `ann`) still get separate folders.
 */
export class UniqueNames {
  private readonly taken = new Set<string>();
  private readonly folders = new Map<string, string>();

  /** `<folder>/<base>[-N]<ext>`; `folder` and `base` must already be safe (built with safeSegment). */
  claim(folder: string, base: string, ext: string): string {
    const prefix = folder === '' ? '' : `${folder}/`;
    for (let n = 1; ; n++) {
      const name = `${prefix}${n === 1 ? base : `${base}-${n}`}${ext}`;
      const key = name.toLowerCase();
      if (this.taken.has(key)) continue;
      if (!isSafeEntryName(name)) throw new Error(`unsafe zip entry name: ${JSON.stringify(name)}`);
      this.taken.add(key);
      return name;
    }
  }

  /** The folder for `ownerKey` (e.g. a client id): the same key always gets the same folder. */
  folderFor(ownerKey: string, parent: string, base: string): string {
    const known = this.folders.get(ownerKey);
    if (known !== undefined) return known;
    const folder = this.claim(parent, base, '');
    this.folders.set(ownerKey, folder);
    return folder;
  }
}
