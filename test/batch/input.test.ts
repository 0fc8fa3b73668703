import { describe, it, expect } from 'vitest';
import { BatchInputError, headerKey, parseTickets, readCsvRecords, readCsvRows, typeKey } from '../../src/batch/input.js';
import { EXIT } from '../../src/errors.js';

/** The BatchInputError that `fn` throws (fails the test when it throws something else or nothing). */
function inputError(fn: () => unknown): BatchInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BatchInputError);
    return err as BatchInputError;
  }
  throw new Error('expected a BatchInputError');
}

describe('headerKey and typeKey', () => {
  it.each([
    ['Ticket ID', 'ticketid'], ['ticket_id', 'ticketid'], ['Ticket-Id', 'ticketid'], [' Requester  email ', 'requesteremail'],
    ['CX action [list]', 'cxaction[list]'],
  ])('headerKey(%j) = %j', (h, key) => expect(headerKey(h)).toBe(key));

  it.each([
    ['Password reset', 'password_reset'], ['password-reset', 'password_reset'], ['PASSWORD_RESET', 'password_reset'],
    [' lookup ', 'lookup'], ['Deactivate client', 'deactivate_client'], ['notes export', 'notes_export'],
    ['Provider termination', 'provider_termination'], ['resubscribe', 'resubscribe'],
  ])('typeKey(%j) = %j', (t, type) => expect(typeKey(t)).toBe(type));

  it.each(['', 'reset', 'password', 'vip', 'password_reset_x'])('typeKey(%j) is null', (t) => expect(typeKey(t)).toBeNull());
});

describe('parseTickets: canonical format', () => {
  it('maps required and optional columns, trims values, leaves empty optional fields out', () => {
    const csv = 'Ticket ID,TYPE,E-mail,First Name,last_name,DOB,client-email,Since,Until,Reason,Requested By,created at,notes\n' +
      ' 7 , Password reset ,  Ann@Example.com ,Ann,Lee,1990-02-03,c@example.com,2024-01-01,2024-02-01," moving, sorry ",agent1,2024-05-01T10:00:00Z,unused\n' +
      '8,lookup,bob@example.com,,,,,,,,,,\n';
    const [a, b] = parseTickets(csv);
    expect(a).toEqual({
      line: 2, ticketId: '7', rawType: 'Password reset', type: 'password_reset', email: 'Ann@Example.com', problem: null,
      fields: { firstName: 'Ann', lastName: 'Lee', dob: '1990-02-03', clientEmail: 'c@example.com', since: '2024-01-01',
        until: '2024-02-01', reason: 'moving, sorry', requestedBy: 'agent1', createdAt: '2024-05-01T10:00:00Z' },
    });
    expect(b).toEqual({ line: 3, ticketId: '8', rawType: 'lookup', type: 'lookup', email: 'bob@example.com', fields: {}, problem: null });
  });

  it('an empty file, a BOM alone or blank lines have no header row: the whole file is refused', () => {
    for (const empty of ['', Buffer.from([0xef, 0xbb, 0xbf]), '\n\n', '\r\n\r\n']) {
      expect(inputError(() => parseTickets(empty)).message).toMatch(/the file is empty: .*header row/);
    }
  });

  it('a header alone gives zero rows', () => {
    expect(parseTickets('ticket_id,type,email\r\n')).toEqual([]);
  });

  it('still checks the header of a header-only file', () => {
    expect(inputError(() => parseTickets('ticket_id,type\n')).message).toContain('"email"');
  });

  it('skips a record whose cells are all empty, as a blank line', () => {
    const rows = parseTickets('ticket_id,type,email\n1,lookup,a@x.com\n,,\n , ,\n2,lookup,b@x.com\n');
    expect(rows.map((r) => [r.ticketId, r.line])).toEqual([['1', 2], ['2', 5]]);
  });

  it('gives each row a problem: missing id, unknown or missing type, missing email, several at once', () => {
    const rows = parseTickets('ticket_id,type,email\n,lookup,a@x.com\n2,refund,b@x.com\n3,,c@x.com\n4,resubscribe,\n,bogus,\n6,lookup,f@x.com\n');
    expect(rows.map((r) => r.problem)).toEqual([
      'missing ticket id',
      expect.stringMatching(/^unknown type "refund" \(expected one of: lookup, password_reset/),
      expect.stringMatching(/^missing type/),
      'missing email',
      expect.stringMatching(/^missing ticket id; unknown type "bogus".*; missing email$/),
      null,
    ]);
    expect(rows[1]).toMatchObject({ rawType: 'refund', type: null });
  });

  it('a lookup row may name the person instead of giving an email; other types may not', () => {
    const rows = parseTickets('ticket_id,type,email,first_name,last_name\n1,lookup,,Ann,Lee\n2,lookup,,Ann,\n3,password_reset,,Ann,Lee\n');
    expect(rows.map((r) => r.problem)).toEqual([null, 'missing email', 'missing email']);
  });

  it('a ticket may ask for several actions and several accounts; the same request twice is marked', () => {
    const rows = parseTickets(
      'ticket_id,type,email\n7,lookup,a@x.com\n8,lookup,b@x.com\n7,resubscribe,a@x.com\n7,lookup,c@x.com\n\n7 ,Lookup, A@X.com\n8,bogus,b@x.com\n',
    );
    expect(rows.map((r) => [r.line, r.problem])).toEqual([
      [2, null],
      [3, null],
      [4, null],
      [5, null],
      [7, 'duplicate row: ticket 7 already asks for lookup of this address (first on line 2)'],
      [8, expect.stringMatching(/^unknown type "bogus"/)],
    ]);
  });

  it('ticket ids are checked and NFC-normalised: controls, invisible characters and 65 characters are invalid', () => {
    const rows = parseTickets(
      `ticket_id,type,email\n"T\u200b1",lookup,a@x.com\n"T\u202e1",lookup,a@x.com\n${'9'.repeat(65)},lookup,a@x.com\n${'9'.repeat(64)},lookup,a@x.com\nCafe\u0301,lookup,a@x.com\n`,
    );
    expect(rows.map((r) => r.problem)).toEqual([
      expect.stringMatching(/invisible or control character \(U\+200B\)/),
      expect.stringMatching(/U\+202E/),
      'the ticket id is 65 characters long; at most 64',
      null,
      null,
    ]);
    expect(rows[4]!.ticketId).toBe('Caf\u00e9');
  });

  it('ticket ids are opaque: case and leading zeros matter', () => {
    const rows = parseTickets('ticket_id,type,email\nAB1,lookup,a@x.com\nab1,lookup,a@x.com\n007,lookup,a@x.com\n7,lookup,a@x.com\n');
    expect(rows.every((r) => r.problem === null)).toBe(true);
  });
});

describe('parseTickets: Zendesk export', () => {
  // As Zendesk writes it: BOM, CRLF, quoted commas and line breaks, many columns cx does not use.
  const zendesk = '\uFEFFSummation column,Id,Requester,Requester id,Requester email,Subject,Tags,Ticket type,CX action [list],Created at\r\n' +
    ',101,"Doe, Jane",9001,jane@example.com,"Can\'t log in, help",vip password_reset,question,Password reset,2024-05-01\r\n' +
    ',102,Bob,9002,bob@example.com,"Stop emails?\r\nThanks, Bob",newsletter resubscribe Resubscribe,incident,,2024-05-02\r\n' +
    ',103,Cy,9003,cy@example.com,"He said ""close it""",lookup deactivate_client,task,Deactivate client,2024-05-03\r\n' +
    ',104,Di,9004,di@example.com,Hello,vip billing,task,Lookup,2024-05-04\r\n';

  it('reads the type from exactly one type tag when no type column is named', () => {
    const rows = parseTickets(Buffer.from(zendesk, 'utf8'));
    expect(rows.map((r) => [r.line, r.ticketId, r.email, r.type, r.rawType])).toEqual([
      [2, '101', 'jane@example.com', 'password_reset', 'password_reset'],
      [3, '102', 'bob@example.com', 'resubscribe', 'resubscribe'],
      [5, '103', 'cy@example.com', null, 'lookup deactivate_client'],
      [6, '104', 'di@example.com', null, 'vip billing'],
    ]);
    expect(rows.map((r) => r.problem)).toEqual([
      null,
      null, // the same type twice is still one type
      // Another column holds a type in these rows: the problem names it and the flag that reads it.
      'no single type in Tags: 2 types (lookup, deactivate_client) in "lookup deactivate_client"; the column "CX action [list]" says "Deactivate client": to read the types from it, run again with --type-column "CX action [list]"',
      'no single type in Tags: none of the tags is a type in "vip billing" (types: lookup, password_reset, resubscribe, deactivate_client, provider_termination, notes_export); the column "CX action [list]" says "Lookup": to read the types from it, run again with --type-column "CX action [list]"',
    ]);
    expect(rows.map((r) => r.typeColumn)).toEqual([undefined, undefined, 'CX action [list]', 'CX action [list]']);
    expect(rows[0]?.fields).toEqual({ createdAt: '2024-05-01' });
  });

  it('reads the type from the column named by typeColumn, matched like a header', () => {
    const rows = parseTickets(zendesk, { typeColumn: 'cx-action [LIST]' });
    expect(rows.map((r) => [r.type, r.problem])).toEqual([
      ['password_reset', null],
      [null, expect.stringMatching(/^missing type/)],
      ['deactivate_client', null],
      ['lookup', null],
    ]);
  });

  it('a typeColumn that is not in the header is a BatchInputError on the header line', () => {
    const err = inputError(() => parseTickets(zendesk, { typeColumn: 'CX action' }));
    expect(err.line).toBe(1);
    expect(err.message).toContain('"CX action"');
    expect(err.message).toContain('"Requester email"');
    expect(err.exitCode).toBe(EXIT.usage);
  });

  it('an empty Tags cell is a row problem', () => {
    const rows = parseTickets('Id,Requester email,Tags\n1,a@x.com,\n');
    expect(rows[0]?.problem).toBe('no single type in Tags: none of the tags is a type in "" (types: lookup, password_reset, resubscribe, deactivate_client, provider_termination, notes_export)');
  });
});

describe('parseTickets: Freshdesk export', () => {
  it('accepts Ticket Id, Type and each of its email columns', () => {
    for (const emailHeader of ['Email', 'Contact email', 'Requester Email']) {
      const csv = `Ticket Id,Subject,Status,Type,Full name,${emailHeader},Tags\n55,Hi,Open,Notes export,Pat Roe,pat@example.com,lookup\n`;
      expect(parseTickets(csv)).toEqual([
        { line: 2, ticketId: '55', rawType: 'Notes export', type: 'notes_export', email: 'pat@example.com', fields: {}, problem: null },
      ]);
    }
  });

  it('prefers the canonical email column when there are several kinds', () => {
    const rows = parseTickets('Ticket Id,Type,Contact email,Email\n1,lookup,contact@x.com,main@x.com\n');
    expect(rows[0]?.email).toBe('main@x.com');
  });
});

describe('parseTickets: unusable files', () => {
  it('names a missing required column and the headers it saw', () => {
    const err = inputError(() => parseTickets('Id,Subject,Tags\n1,x,lookup\n'));
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/missing required column "email".*the header has: "Id", "Subject", "Tags"/);
    expect(inputError(() => parseTickets('Subject,email,type\n')).message).toContain('"ticket_id"');
    expect(inputError(() => parseTickets('ticket_id,email,subject\n')).message).toContain('"type"');
  });

  it('a data row where the header should be is a missing-column error', () => {
    expect(inputError(() => parseTickets('101,lookup,a@x.com\n102,lookup,b@x.com\n')).message).toContain('missing required column');
  });

  it('two headers that mean the same column are refused', () => {
    expect(inputError(() => parseTickets('ticket_id,type,Email,e-mail\n')).message).toContain('"Email" and "e-mail"');
  });

  it('an unclosed quote gives the line where its record starts', () => {
    const csv = 'ticket_id,type,email\r\n1,lookup,"a\r\nb"\r\n\r\n2,lookup,b@x.com\r\n3,lookup,"c@x.com\r\n4,lookup,d@x.com\r\n';
    const err = inputError(() => parseTickets(csv));
    expect(err.line).toBe(6);
    expect(err.message).toMatch(/^line 6: a quoted value .* never closed/);
  });

  it('a record with the wrong number of fields gives its start line, even after multi-line values', () => {
    const csv = 'ticket_id,type,email\n1,lookup,"x\ny\nz"\n\n2,lookup,b@x.com,extra\n';
    const err = inputError(() => parseTickets(csv));
    expect(err.line).toBe(6);
    expect(err.message).toBe('line 6: this record has 4 fields but the header has 3');
    const multi = inputError(() => parseTickets('ticket_id,type,email\r\n1,lookup,a@x.com\r\n2,"pass\r\nword",b@x.com,x\r\n'));
    expect(multi.line).toBe(3);
    expect(inputError(() => parseTickets('ticket_id,type,email\n1,lookup\n')).line).toBe(2);
  });

  it('bytes that are not UTF-8 are refused with their line', () => {
    const latin1 = Buffer.concat([Buffer.from('ticket_id,type,email\n1,lookup,a@x.com\r\n2,lookup,'), Buffer.from([0xe9]), Buffer.from('@x.com\n')]);
    const err = inputError(() => parseTickets(latin1));
    expect(err.line).toBe(3);
    expect(err.message).toContain('not UTF-8');
    const utf16 = Buffer.from('\uFEFFticket_id,type,email\n', 'utf16le');
    expect(inputError(() => parseTickets(utf16)).line).toBe(1);
  });
});

describe('readCsvRecords', () => {
  it('gives the header, the values and each record start line (LF, CRLF, lone CR, blank lines)', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const table = readCsvRecords(`${nl}a,b${nl}1,"x${nl}y"${nl}${nl}2,z`);
      expect(table.header).toEqual(['a', 'b']);
      expect(table.headerLine).toBe(2);
      expect(table.records).toEqual([
        { line: 3, values: { a: '1', b: `x${nl}y` } },
        { line: 6, values: { a: '2', b: 'z' } },
      ]);
    }
  });

  it('reads mixed line ends (a CRLF line in an LF file and the reverse)', () => {
    for (const csv of ['a,b\n1,2\r\n3,"4"\r\n5,6\n', 'a,b\r\n1,2\n3,"4"\n5,6\r\n']) {
      const table = readCsvRecords(csv);
      expect(table.records.map((r) => [r.line, r.values.b])).toEqual([[2, '2'], [3, '4'], [4, '6']]);
    }
  });

  it('keeps a stray quote inside an unquoted value', () => {
    expect(readCsvRecords('h,w\nAnn,5\'10"\n').records[0]?.values).toEqual({ h: 'Ann', w: '5\'10"' });
  });

  it('with a repeated header name the first column wins; odd names are kept as keys', () => {
    const values = readCsvRecords('x,__proto__,x\n1,2,3\n').records[0]?.values ?? {};
    expect(Object.keys(values)).toEqual(['x', '__proto__']);
    expect(values.x).toBe('1');
    expect(values['__proto__']).toBe('2');
  });

  it('an empty input has no header', () => {
    expect(readCsvRecords('')).toEqual({ header: [], headerLine: null, records: [] });
    expect(readCsvRows('\uFEFF\r\n')).toEqual({ header: [], headerLine: null, rows: [] });
  });

  it('readCsvRows gives the same reading as arrays of cells', () => {
    expect(readCsvRows('a,b\n\n1," x\n"\n')).toEqual({ header: ['a', 'b'], headerLine: 1, rows: [{ line: 3, cells: ['1', ' x\n'] }] });
  });
});
