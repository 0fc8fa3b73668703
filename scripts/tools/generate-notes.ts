// Fictional SOAP progress notes of 1–3 KB: sentences with commas, quotes and the client's name, some
// notes with CRLF line ends (as exported from a Windows EHR), titles that include slashes and an emoji.
import type { Rng } from './generate-random.js';

const SUBJECTIVE = [
  '{name} reports sleeping about six hours a night, up from four, and waking less often.',
  '{name} describes the week as "mostly okay, except Tuesday," when a conflict at work triggered rumination.',
  'Client states anxiety was 6/10 on average this week, peaking before a family dinner.',
  '{name} says, "I finally called my sister," and felt relieved afterwards, though tired.',
  'Reports continued low mood in the mornings, improving by early afternoon, with less irritability.',
  'Client completed the thought record twice, noting "catastrophizing" as the most frequent distortion.',
  '{name} skipped the walking plan on three days, citing rain, fatigue, and a late shift.',
  'Denies SI/HI. Reports no alcohol use since the last session, and one cup of coffee a day.',
  'Client describes panic symptoms on the subway: racing heart, tingling hands, "like the floor tilted."',
  '{name} noticed the urge to check the stove again, but waited ten minutes, and the urge faded.',
  'Reports an argument with a partner about chores; says it "went better than usual" after using I-statements.',
  'Client endorses guilt about missing a friend\'s birthday, and worry that the friendship is "over."',
  'Appetite is back to normal; weight stable per client report.',
  '{name} brought a list of questions about medication, side effects, and how long therapy "usually takes."',
];

const OBJECTIVE = [
  'Alert and oriented x3; affect congruent with mood; speech normal in rate and volume.',
  'Appeared tired, with reduced eye contact early in the session, brightening when discussing the garden.',
  'PHQ-9 score 11 (previous 14); GAD-7 score 9 (previous 12).',
  'Thought process linear and goal-directed; no evidence of psychosis.',
  'Tearful when describing the move, able to self-soothe with paced breathing.',
  'Arrived on time, casually dressed, cooperative, and engaged throughout.',
  'Telehealth session; client joined from a parked car for privacy, audio clear.',
  'Fidgeting noted when discussing the deadline, which eased after the grounding exercise.',
];

const ASSESSMENT = [
  'Symptoms consistent with generalized anxiety disorder, improving with CBT; risk remains low.',
  'Progress toward goal 1 (sleep) is steady; goal 2 (avoidance) is partially met.',
  'Mood symptoms moderate, trending down; protective factors include work, pets, and a supportive brother.',
  'Client demonstrates growing insight into the link between "shoulds" and low mood.',
  'Adjustment difficulties persist around the divorce, though functioning at work is intact.',
  'Panic frequency reduced from daily to twice weekly; anticipatory anxiety still high.',
  'No change in risk assessment; safety plan reviewed and remains current.',
];

const PLAN = [
  'Continue weekly sessions; next session to focus on behavioral activation and scheduling.',
  'Homework: two thought records, one 20-minute walk on three days, and the sleep diary.',
  'Introduce exposure hierarchy for subway travel, starting with one stop at an off-peak hour.',
  'Coordinate with PCP regarding medication questions, with the client\'s written consent.',
  'Review values worksheet next time; client to bring "three things that went right."',
  'Maintain biweekly cadence; reassess PHQ-9 and GAD-7 in four weeks.',
  'Practice paced breathing (4-6) twice daily, and before the performance review.',
];

const MODALITIES = ['CBT', 'ACT', 'DBT skills', 'IPT', 'EMDR prep', 'MI', 'supportive'];

/** A session title; most are plain, a few carry the characters an export has to handle. */
export function noteTitle(rng: Rng, index: number, isIntake: boolean): string {
  if (isIntake) return 'Intake assessment';
  const r = rng.next();
  if (r < 0.5) return `Session ${index + 1}`;
  if (r < 0.8) return `Progress note — ${rng.pick(MODALITIES)}`;
  if (r < 0.9) return 'Treatment plan review';
  if (r < 0.95) return `Session ${index + 1}/${index + rng.int(2, 12)}`;
  if (r < 0.98) return 'Follow-up: "rough week"';
  return 'Check-in 🌱';
}

const MIN_BYTES = 1024;
const MAX_BYTES = 3072;

/** A SOAP body between 1 and 3 KB (UTF-8), sentences added section by section until the target. */
export function noteBody(rng: Rng, clientFirstName: string, isIntake: boolean): string {
  const eol = rng.chance(0.25) ? '\r\n' : '\n';
  // Each section draws its sentences in a shuffled order, so a note does not repeat itself.
  const sections: Array<[string, readonly string[], string[]]> = [
    ['S', shuffled(rng, SUBJECTIVE), []],
    ['O', shuffled(rng, OBJECTIVE), []],
    ['A', shuffled(rng, ASSESSMENT), []],
    ['P', shuffled(rng, PLAN), []],
  ];
  if (isIntake) sections[0]![2].push(`Intake. ${clientFirstName} self-referred for anxiety and low mood; no prior therapy.`);
  const target = rng.int(MIN_BYTES + 120, MAX_BYTES - 260);
  let size = 0;
  for (let s = 0; size < target; s = (s + 1) % sections.length) {
    const [, pool, lines] = sections[s]!;
    const sentence = pool[lines.length % pool.length]!.replace('{name}', clientFirstName);
    lines.push(sentence);
    size += Buffer.byteLength(sentence) + 1;
  }
  // The target leaves room for the one sentence the loop may overshoot by, so the body stays under 3 KB.
  return sections.map(([label, , lines]) => `${label}: ${lines.join(' ')}`).join(eol);
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
