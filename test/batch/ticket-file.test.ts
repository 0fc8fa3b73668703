// The two-pass reading of a ticket export must give exactly the rows of the one-pass parseTickets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchInputError, parseTickets } from '../../src/batch/input.js';
import { checkRows, planOf } from '../../src/batch/plan.js';
import { readTicketFile } from '../../src/batch/ticket-file.js';
import { DEMO } from '../helpers/cx.js';

/** A big export with everything that could break a slice boundary: BOM, CRLF, quoted line breaks,
 * blank lines, all-empty records, repeated ids, bad addresses. */
function bigExport(n: number): Buffer {
  const lines = ['\uFEFFTicket Id,Type,Email,Reason'];
  for (let i = 0; i < n; i++) {
    if (i % 997 === 0) lines.push('');
    if (i % 1499 === 0) lines.push(',,,');
    const id = i % 1777 === 0 ? 'T1' : `T${i}`;
    const email = i % 1777 === 0 ? 'same@example.com' : i % 13 === 0 ? `broken${i}@` : `user${i}@example.com`;
    const reason = i % 7 === 0 ? `"line one\r\nline two, ""quoted"""` : `plain ${i}`;
    const type = i % 1777 === 0 ? 'lookup' : i % 5 === 0 ? 'Password reset' : 'lookup';
    lines.push(`${id},${type},${email},${reason}`);
  }
  return Buffer.from(lines.join('\r\n'));
}

describe('readTicketFile', () => {
  it.each([
    ['canonical.csv', undefined], ['zendesk.csv', 'CX action [list]'], ['zendesk.csv', undefined], ['freshdesk.csv', undefined],
  ])('%s (type column %s): the same rows as parseTickets', (name, typeColumn) => {
    const buf = readFileSync(join(DEMO, 'tickets', name));
    const file = readTicketFile(buf, { typeColumn, checkAddresses: true });
    const expected = parseTickets(buf, { typeColumn });
    expect([...file.rows()]).toEqual(expected);
    expect(file.count).toBe(expected.length);
    expect(file.plan).toEqual(planOf(checkRows(expected)));
  });

  it('gives the same rows across many slices, and again on a second read', () => {
    const buf = bigExport(7_500);
    const file = readTicketFile(buf);
    const expected = parseTickets(buf);
    const rows = [...file.rows()];
    expect(rows.length).toBe(expected.length);
    expect(rows).toEqual(expected);
    expect([...file.rows()].map((r) => r.line)).toEqual(expected.map((r) => r.line));
    expect(rows.filter((r) => r.problem?.startsWith('duplicate')).length).toBeGreaterThan(0);
  });

  it('counts the plan without address checks unless asked', () => {
    const buf = Buffer.from('ticket_id,type,email\n1,lookup,a@x.com\n2,lookup,broken@\n3,nope,a@x.com\n');
    expect(readTicketFile(buf).plan).toMatchObject({ applicable: 2, invalid: 1 });
    expect(readTicketFile(buf, { checkAddresses: true }).plan).toMatchObject({ applicable: 1, invalid: 2 });
    expect([...readTicketFile(buf).rows()][1]!.problem).toBeNull(); // the action says so
  });

  it('throws BatchInputError for a malformed file or a missing column, before any row is read', () => {
    expect(() => readTicketFile(Buffer.from('ticket_id,type,email\n1,lookup,"a@x.com\n'))).toThrow(/line 2/);
    expect(() => readTicketFile(Buffer.from('ticket_id,email\n1,a@x.com\n'))).toThrow(BatchInputError);
    expect(() => readTicketFile(Buffer.from(''))).toThrow(/the file is empty/);
  });
});
