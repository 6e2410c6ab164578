import type { ChatMessage, ChatRequest } from '@switchboard/core';
import { pickOne, pickSeveral, type RandomSource } from './seeded-random.ts';

/** The kinds of text the simulator writes, told apart from the request's prompts. */
export type SimulatedTextKind =
  'safety-verdict' | 'support' | 'summary' | 'choices' | 'dialogue' | 'reflection' | 'narration';

/** How much a simulated model writes: the number of sentences of a narration, dialogue or reflection. */
export interface SimulatedTextStyle {
  minSentences: number;
  maxSentences: number;
}

const places = ['greenhouse', 'orchard', 'lighthouse', 'old library', 'harbour', 'forest clearing', 'attic'];
const sounds = [
  'rain tapping on the glass',
  'a kettle beginning to sing',
  'gulls calling far away',
  'wind moving through the reeds',
  'a clock ticking slowly',
];
const details = [
  'a folded note',
  'a small clay bird',
  'a lantern with a steady flame',
  'footprints in the soft moss',
  'a ribbon tied to a low branch',
];
const smells = ['wet soil and mint', 'old paper and cedar', 'salt and woodsmoke', 'fresh bread'];
const lights = ['a low sun', 'a paper lantern', 'the open window', 'the harbour lamps'];
const speakers = [
  { full: 'Mara, the lighthouse keeper,', short: 'Mara' },
  { full: 'Old Tobin', short: 'Tobin' },
  { full: 'Ilse the gardener', short: 'Ilse' },
  { full: 'The ferryman', short: 'the ferryman' },
];
const stopWords = new Set([
  'about',
  'after',
  'again',
  'because',
  'before',
  'could',
  'every',
  'maybe',
  'really',
  'should',
  'something',
  'their',
  'there',
  'these',
  'think',
  'would',
  'which',
  'where',
  'while',
  'write',
  'please',
  // Pronouns and auxiliaries that follow "that" or "this" as often as a noun does ("that they").
  'they',
  'them',
  'you',
  'she',
  'him',
  'her',
  'his',
  'its',
  'our',
  'who',
  'what',
  'when',
  'how',
  'not',
  'was',
  'were',
  'are',
  'have',
  'has',
  'had',
  'did',
  'does',
  'will',
  'can',
]);

interface TextSlots {
  subject: string;
  place: string;
  sound: string;
  /** A second sound, never the same as {@link TextSlots.sound}: one paragraph may mention both. */
  distantSound: string;
  detail: string;
  smell: string;
  light: string;
  speaker: { full: string; short: string };
}

const narrationSentences: ((slots: TextSlots) => string)[] = [
  (slots) => `The ${slots.place} is quiet except for ${slots.sound}.`,
  (slots) => `You notice ${slots.detail} near ${slots.subject}.`,
  (slots) => `Light from ${slots.light} falls across ${slots.subject}, and your shoulders soften a little.`,
  (slots) => `The air smells of ${slots.smell}.`,
  (slots) => `For a moment you simply breathe, and ${slots.subject} seems to breathe with you.`,
  (slots) => `A path of smooth stones leads further into the ${slots.place}.`,
  (slots) => `Somewhere ahead, you hear ${slots.distantSound}.`,
  () => 'Nothing here is in a hurry, and neither do you need to be.',
];

const dialogueSentences: ((slots: TextSlots) => string)[] = [
  (slots) => `${slots.speaker.full} looks up and smiles. "You found ${slots.subject}. Not everyone notices."`,
  (slots) => `"Take your time," ${slots.speaker.short} says. "Nothing here needs to be rushed."`,
  (slots) => `"I kept ${slots.detail} for someone who would notice it," ${slots.speaker.short} says quietly.`,
  (slots) => `"What do you hope to find in the ${slots.place}?" ${slots.speaker.short} asks.`,
  (slots) =>
    `${slots.speaker.short} sets down a cup of tea. "It smells of ${slots.smell}, like home used to."`,
  () => `"You can come back whenever you like," comes the gentle reply.`,
];

const reflectionSentences: ((slots: TextSlots) => string)[] = [
  (slots) => `It sounds like ${slots.subject} carries a lot of weight for you right now.`,
  () => 'That makes sense, given everything you have described.',
  () => 'You do not have to decide anything yet; noticing the feeling is already a step.',
  () => 'Many people feel unsettled in moments like this, and it is okay to pause.',
  () => 'You have come through difficult moments before, and that strength is still with you.',
  () => 'What would feel like a small, kind next step?',
];

/**
 * What a safety-tuned model says to a player whose words read as distress: thanks, company, where
 * real help is, a pause in the story, and an open question, in that order and always whole. It
 * names no country's number: the game, not the model, knows where the player is.
 */
const supportSentences: readonly string[] = [
  'Thank you for telling me; that took courage.',
  'What you are feeling matters, and you do not have to carry it alone.',
  'If you might act on these thoughts, please contact your local emergency number or a crisis line right now, or ' +
    'tell someone you trust who can be with you.',
  'The story can wait for as long as you need.',
  'Would you like to tell me a little about what is happening right now?',
];

const choiceOptions: ((slots: TextSlots) => string)[] = [
  (slots) => `Follow the sound of ${slots.sound}.`,
  (slots) => `Read ${slots.detail} slowly.`,
  (slots) => `Sit by ${slots.subject} and rest for a while.`,
  (slots) => `Ask ${slots.speaker.short} what ${slots.subject} means to them.`,
  () => 'Write down what you are feeling before moving on.',
  (slots) => `Walk on toward the ${slots.place}.`,
];

function textOf(messages: readonly ChatMessage[], role: ChatMessage['role']): string {
  return messages
    .filter((message) => message.role === role)
    .map((message) => message.content)
    .join('\n')
    .toLowerCase();
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role === 'user') return message.content;
  }
  return '';
}

/**
 * Tells what the request asks for from its prompts: JSON mode or a screening system prompt gets a
 * safety verdict; a player's turn that reads as crisis or elevated risk (the same keywords as the
 * verdict) gets support, whatever the task asked for, as a safety-tuned model would answer;
 * otherwise keywords pick a summary, choices, dialogue, a therapeutic reflection or (by default)
 * narration.
 */
export function detectTextKind(request: ChatRequest): SimulatedTextKind {
  const system = textOf(request.messages, 'system');
  const userText = lastUserText(request.messages).toLowerCase();
  const prompt = `${system}\n${userText}`;
  if (request.responseFormat === 'json' || /screen|classif|risk assessment|safety check/.test(system)) {
    return 'safety-verdict';
  }
  if (crisisPattern.test(userText) || elevatedPattern.test(userText)) return 'support';
  if (/summar/.test(prompt)) return 'summary';
  if (/\bchoices?\b|\boptions\b|what can i do/.test(prompt)) return 'choices';
  // Asking, telling or greeting counts in the player's own action only ("I ask the miller …"): a
  // system prompt may well say "ask" or "tell" of the narrator.
  if (
    /dialogue|in character|\bsays?\b|\bspeak|\btalk|\bnpc\b|\breply as\b/.test(prompt) ||
    /\b(?:i|we) (?:ask|tell|greet)\b/.test(userText)
  )
    return 'dialogue';
  // From the player's words only: a therapeutic game's system prompt says "therapeutic" on every turn.
  if (/therap|reflect|\bfeel|anxious|\bsad\b|worried|lonely|afraid|counsel/.test(userText))
    return 'reflection';
  return 'narration';
}

const crisisPattern =
  /kill myself|suicide|end my life|hurt myself|self-harm|want to die|(?:do not|don't|dont) want to (?:go on|live|be here)|no reason to live/;
const elevatedPattern = /hopeless|worthless|can't go on|cannot go on|panic|no way out/;
const lowPattern = /\bsad\b|anxious|lonely|worried|afraid|tired of/;

/** The verdict a simple keyword screen gives the last user turn, as compact JSON. */
function safetyVerdict(request: ChatRequest): string {
  const text = lastUserText(request.messages).toLowerCase();
  let risk = 'none';
  if (crisisPattern.test(text)) risk = 'crisis';
  else if (elevatedPattern.test(text)) risk = 'elevated';
  else if (lowPattern.test(text)) risk = 'low';
  return JSON.stringify({ risk });
}

const adjectives =
  'old|young|little|small|big|tall|dark|quiet|broken|wooden|secret|heavy|great|tiny|strange|ancient|empty|narrow|long|red|blue|green|white|black|best';
// A word ending in "ed" before another word reads as an adjective too: "the flooded mill".
const subjectPattern = new RegExp(
  `\\b(the|a|an|my|our|your|his|her|their|this|that)\\s+(?:(${adjectives}|\\p{L}{2,}ed)\\s+)?(\\p{L}{3,})`,
  'giu',
);
const determinerForNarrator: Record<string, string> = {
  my: 'your',
  our: 'your',
  a: 'the',
  an: 'the',
  this: 'the',
  that: 'the',
};

/**
 * What the player's last turn is about, as a noun phrase the narrator can reuse: the last
 * "determiner (adjective) word" of the turn, with the player's "my" turned into "your" ("I miss my
 * brother" gives "your brother"), or a fitting default.
 */
function subjectOf(request: ChatRequest, random: RandomSource): string {
  const matches = [...lastUserText(request.messages).matchAll(subjectPattern)].filter(
    (match) => !stopWords.has((match[3] ?? '').toLowerCase()),
  );
  const last = matches.at(-1);
  if (last === undefined)
    return pickOne(['the path', 'the lantern', 'the doorway', 'the garden', 'the window'], random);
  const determiner = (last[1] ?? 'the').toLowerCase();
  const words = [determinerForNarrator[determiner] ?? determiner, last[2], last[3]];
  return words
    .filter((word): word is string => word !== undefined)
    .join(' ')
    .toLowerCase();
}

function capitalise(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function sentenceCount(style: SimulatedTextStyle, random: RandomSource): number {
  const span = Math.max(0, style.maxSentences - style.minSentences);
  return style.minSentences + Math.floor(random() * (span + 1));
}

/**
 * Writes a deterministic, readable answer that fits the request, built from sentence templates
 * picked with `random` (which the caller seeds from the request's content). Never lorem ipsum: a
 * demo or a transcript built on the simulator reads like a quiet text adventure.
 */
export function composeSimulatedText(
  request: ChatRequest,
  random: RandomSource,
  style: SimulatedTextStyle,
): string {
  const kind = detectTextKind(request);
  if (kind === 'safety-verdict') return safetyVerdict(request);
  if (kind === 'support') return supportSentences.join(' ');
  const subject = subjectOf(request, random);
  const place = pickOne(places, random);
  const [sound = sounds[0]!, distantSound = sounds[1]!] = pickSeveral(sounds, 2, random);
  const slots: TextSlots = {
    subject,
    place,
    sound,
    distantSound,
    detail: pickOne(details, random),
    smell: pickOne(smells, random),
    light: pickOne(lights, random),
    speaker: pickOne(speakers, random),
  };
  const count = sentenceCount(style, random);
  switch (kind) {
    case 'summary':
      return (
        `So far you have wandered through the ${slots.place}, found ${slots.detail}, and spoken with ` +
        `${slots.speaker.short}. The story now rests by ${slots.subject}.`
      );
    case 'choices': {
      const options = pickSeveral(choiceOptions, 3, random).map(
        (option, index) => `${index + 1}. ${option(slots)}`,
      );
      return [`You pause by ${slots.subject}. What would you like to do?`, ...options].join('\n');
    }
    case 'dialogue':
      return pickSeveral(dialogueSentences, count, random)
        .map((sentence) => capitalise(sentence(slots)))
        .join(' ');
    case 'reflection': {
      const sentences = pickSeveral(reflectionSentences, count, random).map((sentence) =>
        capitalise(sentence(slots)),
      );
      // An open question reads best as the last thing said.
      return [
        ...sentences.filter((line) => !line.endsWith('?')),
        ...sentences.filter((line) => line.endsWith('?')),
      ].join(' ');
    }
    case 'narration':
      return pickSeveral(narrationSentences, count, random)
        .map((sentence) => capitalise(sentence(slots)))
        .join(' ');
  }
}

/**
 * Joins a freshly composed answer onto a trailing assistant prefill the way a model continuing it
 * would: after a finished sentence a new one starts with a space; mid-sentence the next word follows
 * with a space and in lower case. The simulator writes new text rather than the prefill's own
 * continuation, but the seam reads naturally, as a real continuation would.
 */
export function continuePrefill(prefill: string, text: string): string {
  if (prefill === '' || text === '') return text;
  const separator = /\s$/.test(prefill) ? '' : ' ';
  if (/[.!?]["'\u201d\u2019)]?\s*$/.test(prefill)) return separator + text;
  const lowered = /^I\b/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
  return separator + lowered;
}
