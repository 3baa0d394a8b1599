import { describe, expect, it } from '@jest/globals';
import { detectImageType } from './image-type.js';

const bytes = (...values: Array<number | string>) =>
  Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe('detectImageType', () => {
  it.each([
    [bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'jpg'],
    [bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'png'],
    [bytes('GIF89a', 1, 0), 'gif'],
    [bytes('GIF87a', 1, 0), 'gif'],
    [bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '), 'webp'],
  ])('recognises %#', (input, extension) => {
    expect(detectImageType(input)?.extension).toBe(extension);
  });

  it.each([
    ['text that claims to be a PNG', bytes('not really a png')],
    ['SVG (scriptable)', bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['HTML', bytes('<!doctype html><script>')],
    ['RIFF that is not WebP', bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt ')],
    ['a truncated PNG signature', bytes(0x89, 'PN')],
    ['nothing', bytes()],
  ])('refuses %s', (_name, input) => {
    expect(detectImageType(input)).toBeNull();
  });
});
