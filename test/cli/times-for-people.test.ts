// Times as people read them (issue 21, part 4): no raw UTC ISO time in human output, times in the agent's
// zone (the details the actions build embed ISO times: the renderer writes them in local time), while
// --json, CSV and piped tables keep ISO 8601 UTC.
import { describe, expect, it } from 'vitest';
import { demoMirror } from '../helpers/cx.js';
import { cxIn } from '../helpers/in-process.js';

const ISO_UTC = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z/;
const CHICAGO = { TZ: 'America/Chicago' };

describe('times in human output are local', () => {
  it('a reset already done says when in the agent zone; --json keeps the ISO time', async () => {
    const db = demoMirror();
    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db })).code).toBe(0);
    const again = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db, env: CHICAGO });
    expect(again.stdout).toMatch(/^already done: .* already queued for aaliyah\.johnson@gmail\.com at 2026-11-27 06:00 \(outbox 1\)/);
    expect(again.stdout + again.stderr).not.toMatch(ISO_UTC);
    const json = await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes', '--json'], { db, env: CHICAGO });
    expect(json.json().detail).toContain('at 2026-11-27T12:00:00.000Z (outbox 1)');
  });

  it('a batch row already processed: local on stderr and in people\'s lines, ISO in the results CSV', async () => {
    const db = demoMirror();
    const csv = 'ticket_id,type,email\nB1,password_reset,aaliyah.johnson@gmail.com\n';
    expect((await cxIn(['batch', '-', '--yes'], { db, input: csv })).code).toBe(0);
    const again = await cxIn(['batch', '-', '--yes'], { db, input: csv, env: CHICAGO });
    expect(again.stdout).toMatch(/already processed by a batch on 2026-11-27T12:00:00\.000Z/); // the CSV, exact
    expect(again.stderr).not.toMatch(ISO_UTC);
  });

  it('sync status: the oldest pending change in the agent zone', async () => {
    const db = demoMirror();
    expect((await cxIn(['reset', 'aaliyah.johnson@gmail.com', '--ticket', 'T-1', '--yes'], { db })).code).toBe(0);
    const r = await cxIn(['sync', 'status'], { db, env: CHICAGO });
    expect(r.stdout + r.stderr).not.toMatch(ISO_UTC);
    expect((await cxIn(['sync', 'status', '--json'], { db })).json().oldest_pending_at).toBe('2026-11-27T12:00:00.000Z');
  });

  it('piped tables keep the ISO time in every cell, details included', async () => {
    const db = demoMirror();
    const csv = 'ticket_id,type,email\nB1,password_reset,aaliyah.johnson@gmail.com\n';
    await cxIn(['batch', '-', '--yes'], { db, input: csv });
    await cxIn(['batch', '-', '--yes'], { db, input: csv });
    const audit = await cxIn(['audit'], { db, env: CHICAGO });
    const rows = audit.stdout.trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
    for (const row of rows) expect(row[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
