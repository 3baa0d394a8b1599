/** Reaction emoji: exactly one grapheme cluster, and an emoji (RGI sequences, or one pictograph with its optional variation selector). */
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// Built at run time: the `v` flag (Unicode sets, for \p{RGI_Emoji}) is newer than the compile target.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const PICTOGRAPH = /^\p{Extended_Pictographic}\uFE0F?$/u;

/** Longest emoji accepted, in UTF-16 units (the longest RGI sequences, family ZWJ sequences with skin tones, are under 40). */
export const EMOJI_MAX_LENGTH = 64;

export function isSingleEmoji(value: string): boolean {
  if (!value || value.length > EMOJI_MAX_LENGTH) return false;
  let count = 0;
  for (const _ of graphemes.segment(value)) if (++count > 1) return false;
  return RGI_EMOJI.test(value) || PICTOGRAPH.test(value);
}
