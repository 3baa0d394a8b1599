export interface ImageType {
  extension: 'jpg' | 'png' | 'gif' | 'webp';
  mime: string;
}

/**
 * The image type from the file's first bytes (magic numbers), never from its name or declared
 * content type. Anything but JPEG, PNG, GIF or WebP → null.
 */
export function detectImageType(bytes: Uint8Array): ImageType | null {
  const starts = (signature: number[], offset = 0) => bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
  const ascii = (text: string, offset = 0) => starts([...text].map((c) => c.charCodeAt(0)), offset);
  if (starts([0xff, 0xd8, 0xff])) return { extension: 'jpg', mime: 'image/jpeg' };
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { extension: 'png', mime: 'image/png' };
  if (ascii('GIF87a') || ascii('GIF89a')) return { extension: 'gif', mime: 'image/gif' };
  if (ascii('RIFF') && ascii('WEBP', 8)) return { extension: 'webp', mime: 'image/webp' };
  return null;
}
