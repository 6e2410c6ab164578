/**
 * What a player at crisis risk is told when no model could answer. A failure must never leave a
 * player in crisis with an error message or silence, so the engine answers with this instead,
 * flagged as a fallback so the game and the ledger know no model wrote it.
 */
export interface CrisisFallback {
  /** The safe message itself, shown first. Written for the player, in plain words. */
  message: string;
  /**
   * Where the player can get help now, one entry per line. Hosts configure the real services of
   * their players' region (numbers, hours, languages); the built-in default names none, because a
   * wrong number is worse than none.
   */
  resources: string[];
}

/**
 * The built-in fallback: points to local emergency services and to crisis lines without naming a
 * phone number (the engine cannot know the player's country). findahelpline.com is an
 * international directory of free, confidential crisis lines.
 */
export const defaultCrisisFallback: Readonly<CrisisFallback> = Object.freeze({
  message:
    "I'm sorry, I can't continue the story right now, and I don't want to leave you on your own with " +
    'this. What you are feeling matters. If you are thinking about harming yourself or you are in ' +
    'danger, please reach out for support now.',
  resources: Object.freeze([
    'If you are in immediate danger, call your local emergency number now.',
    'Talk to a crisis line in your country: findahelpline.com lists free, confidential lines worldwide.',
    'Tell someone you trust how you are feeling, and stay with them if you can.',
  ]) as string[],
});

/** The fallback as the text the player sees: the message, a blank line, then the resources. */
export function crisisFallbackText(fallback: CrisisFallback): string {
  if (fallback.resources.length === 0) return fallback.message;
  return `${fallback.message}\n\n${fallback.resources.map((resource) => `- ${resource}`).join('\n')}`;
}
