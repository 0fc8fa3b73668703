// Fictional people for the benchmark mirror: names (accents and apostrophes included), US states and
// email addresses in the shapes real sign-ups take. Small built-in lists; every draw goes through Rng.
import { nameKey } from '../../src/rules/names.js';
import { Weighted, type Rng } from './generate-random.js';

export const FIRST_NAMES: readonly string[] = [
  'Emma', 'Olivia', 'Ava', 'Sophia', 'Isabella', 'Mia', 'Amelia', 'Harper', 'Evelyn', 'Abigail', 'Emily',
  'Ella', 'Elizabeth', 'Camila', 'Luna', 'Sofia', 'Avery', 'Aria', 'Scarlett', 'Penelope', 'Layla', 'Chloe',
  'Victoria', 'Madison', 'Eleanor', 'Grace', 'Nora', 'Riley', 'Hannah', 'Hazel', 'Lily', 'Violet', 'Zoë',
  'Chloé', 'Renée', 'Noémie', 'Inès', 'Mélanie', 'Siobhán', 'Aoife', 'Niamh', 'Saoirse', 'Ngozi', 'Chiamaka',
  'Amara', 'Aaliyah', 'Fatima', 'Aisha', 'Yasmin', 'Priya', 'Ananya', 'Mei', 'Thao', 'Linh', 'Hana', 'Yuki',
  'Marisol', 'Lucía', 'María', 'Ximena', 'Valentina', 'Guadalupe', 'Anne-Marie', 'Brontë', 'Dagný', 'Ingrid',
  'Liam', 'Noah', 'Oliver', 'Elijah', 'James', 'William', 'Benjamin', 'Lucas', 'Henry', 'Theodore', 'Jack',
  'Levi', 'Alexander', 'Jackson', 'Mateo', 'Daniel', 'Michael', 'Mason', 'Sebastian', 'Ethan', 'Logan', 'Owen',
  'Samuel', 'Jacob', 'Asher', 'Aiden', 'John', 'Joseph', 'Wyatt', 'David', 'Leo', 'Luke', 'Julian', 'Hudson',
  'Matthew', 'Ezra', 'Gabriel', 'Carter', 'Isaac', 'Anthony', 'Dylan', 'Thomas', 'Elias', 'Caleb', 'Miles',
  'Isaiah', 'Andrew', 'Nathan', 'Adrian', 'Santiago', 'Aaron', 'Ryan', 'Kai', 'Roman', 'Wesley', 'Jordan',
  'José', 'Jesús', 'Andrés', 'Joaquín', 'Tomás', 'Matías', 'Sebastián', 'Björn', 'Søren', 'Jürgen', 'François',
  'Jean-Luc', 'Kwame', 'Chidi', 'Emeka', 'Obinna', 'Tunde', 'Kofi', 'Arjun', 'Rohan', 'Vikram', 'Minh', 'Duc',
  'Wei', 'Hiroshi', 'Kenji', 'Seán', 'Ciarán', 'Oisín', 'Dmitri', 'Ahmed', 'Omar', 'Yusuf', 'Karim', 'Declan',
  "D'Andre", "De'Shawn", "Ja'Marcus", 'Łukasz', 'Çağan', 'Ömer',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker',
  'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson',
  'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gómez', 'Phillips', 'Evans',
  'Turner', 'Díaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy',
  'Cook', 'Rogers', 'Gutiérrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard',
  'Ramos', 'Kim', 'Ward', 'Richardson', 'Watson', 'Brooks', 'Chávez', 'Wood', 'Bennett', 'Gray', 'Mendoza',
  'Ruiz', 'Hughes', 'Price', 'Álvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Ross', 'Foster', 'Jiménez',
  "O'Brien", "O'Neil", "O'Connor", "O'Sullivan", "D'Angelo", "D'Souza", 'McAllister', 'MacDonald', 'Núñez',
  'Peña', 'Muñoz', 'Ibáñez', 'Müller', 'Schröder', 'Kowalski', 'Wiśniewski', 'Nowak', 'Okafor', 'Adeyemi',
  'Okonkwo', 'Mensah', 'Asante', 'Tran', 'Pham', 'Hoang', 'Vo', 'Chen', 'Wang', 'Zhang', 'Liu', 'Yamamoto',
  'Tanaka', 'Sato', 'Park', 'Choi', 'Singh', 'Sharma', 'Gupta', 'Iyer', 'Reddy', 'Haddad', 'Khalil', 'Nasser',
  'Cohen', 'Levy', 'Friedman', 'Goldberg', 'Rossi', 'Russo', 'Esposito', 'Bianchi', 'Ferreira', 'Silva',
  'Santos', 'Oliveira', 'Costa', 'O’Neil', 'D’Amico', 'da Silva', 'Van der Berg', 'St. Clair', 'Ó Súilleabháin', 'Lefèvre',
  'Dubois', 'Lemaître', 'Åkesson', 'Öztürk', 'Yılmaz', 'Çelik', 'Søndergaard', 'Łukasiewicz', 'Smith-Jones',
];

/** Name parts folded to what people type into an address ("Zoë O'Neil" -> zoe, oneil), computed once. */
const FOLDED = new Map<string, string>();
export function folded(name: string): string {
  let f = FOLDED.get(name);
  if (f === undefined) FOLDED.set(name, (f = nameKey(name) || 'user'));
  return f;
}

/** Roughly by population; a few accounts carry no state. */
export const STATES = new Weighted<string | null>([
  ['CA', 120], ['TX', 90], ['FL', 70], ['NY', 60], ['PA', 40], ['IL', 40], ['OH', 35], ['GA', 33], ['NC', 32],
  ['MI', 30], ['NJ', 28], ['VA', 26], ['WA', 24], ['AZ', 22], ['MA', 21], ['TN', 21], ['IN', 20], ['MD', 19],
  ['MO', 18], ['WI', 18], ['CO', 18], ['MN', 17], ['SC', 16], ['AL', 15], ['LA', 14], ['KY', 14], ['OR', 13],
  ['OK', 12], ['CT', 11], ['UT', 10], ['IA', 10], ['NV', 10], ['AR', 9], ['MS', 9], ['KS', 9], ['NM', 6],
  ['NE', 6], ['ID', 6], ['WV', 5], ['HI', 4], ['NH', 4], ['ME', 4], ['MT', 3], ['RI', 3], ['DE', 3], ['SD', 3],
  ['ND', 2], ['AK', 2], ['DC', 2], ['VT', 2], ['WY', 2], [null, 15],
]);

const WORDS = [
  'bright', 'harbor', 'mindful', 'cedar', 'willow', 'summit', 'river', 'lake', 'oak', 'maple', 'north', 'blue',
  'stone', 'clear', 'open', 'true', 'still', 'haven', 'pine', 'sage', 'meadow', 'ridge', 'lantern', 'compass',
];
const PRACTICE_SUFFIXES = ['counseling', 'therapy', 'wellness', 'psych', 'mentalhealth', 'behavioral', 'healing', 'care'];
const COMPANY_SUFFIXES = ['logistics', 'labs', 'group', 'partners', 'media', 'systems', 'realty', 'foods', 'health'];
const TLDS = ['com', 'com', 'com', 'org', 'net', 'co', 'us'];
const HANDLE_WORDS = ['sunny', 'bluejay', 'moonlit', 'tiger', 'river', 'koala', 'pixel', 'maple', 'cosmic', 'ember', 'fox', 'otter'];

/** Generic domains (practices, employers) drawn once per run, so they repeat like real ones do. */
export function makeDomains(rng: Rng, count: number, suffixes: readonly string[]): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const sep = rng.chance(0.2) ? '-' : '';
    out.add(`${rng.pick(WORDS)}${rng.pick(WORDS)}${sep}${rng.pick(suffixes)}.${rng.pick(TLDS)}`);
  }
  return [...out];
}

export const practiceDomains = (rng: Rng): string[] => makeDomains(rng, 400, PRACTICE_SUFFIXES);
export const companyDomains = (rng: Rng): string[] => makeDomains(rng, 600, COMPANY_SUFFIXES);

/** Personal mail providers, weighted roughly like a US consumer sign-up list; 'generic' means an employer domain. */
export const PERSONAL_DOMAINS = new Weighted<string>([
  ['gmail.com', 36], ['googlemail.com', 1], ['yahoo.com', 11], ['outlook.com', 8], ['hotmail.com', 9],
  ['icloud.com', 9], ['proton.me', 2], ['protonmail.com', 1], ['fastmail.com', 1], ['aol.com', 3],
  ['comcast.net', 3], ['live.com', 2], ['msn.com', 1], ['me.com', 1], ['att.net', 2], ['verizon.net', 1],
  ['generic', 9],
]);

const twoDigits = (rng: Rng): string => String(rng.int(1, 99)).padStart(2, '0');

/** A local part in one of the shapes people pick; `birthYear` feeds the "jane87" kind. */
export function localPart(rng: Rng, first: string, last: string, birthYear: number | null): string {
  const f = folded(first);
  const l = folded(last);
  const r = rng.next();
  if (r < 0.24) return `${f}.${l}`;
  if (r < 0.38) return `${f}${l}`;
  if (r < 0.5) return `${f[0]}${l}`;
  if (r < 0.58) return `${f}.${l}${twoDigits(rng)}`;
  if (r < 0.68) return `${f}${l}${birthYear ? String(birthYear).slice(2) : twoDigits(rng)}`;
  if (r < 0.72) return `${f}_${l}`;
  if (r < 0.77) return `${l}.${f}`;
  if (r < 0.84) return `${f[0]}.${l}`;
  if (r < 0.9) return `${f}${birthYear ?? rng.int(1960, 2005)}`;
  return `${rng.pick(HANDLE_WORDS)}${rng.chance(0.3) ? '_' : ''}${rng.pick(WORDS)}${twoDigits(rng)}`;
}

/** How the address was typed at sign-up: mostly lower case, sometimes "Jane.Doe@Gmail.com". */
export function asTyped(rng: Rng, local: string, domain: string): string {
  if (!rng.chance(0.05)) return `${local}@${domain}`;
  const cap = (s: string): string => s.replace(/(^|[._])([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase());
  return `${cap(local)}@${domain.charAt(0).toUpperCase()}${domain.slice(1)}`;
}

/** nameKey, memoised: the lists are small and the generator asks millions of times. */
const NAME_KEYS = new Map<string, string>();
export function nameKeyOf(name: string): string {
  let k = NAME_KEYS.get(name);
  if (k === undefined) NAME_KEYS.set(name, (k = nameKey(name)));
  return k;
}
