import sharp from 'sharp';
import { FieldValidationException } from '../../common/errors/api-exceptions.js';
import type { ImageType } from './image-type.js';

/**
 * Decodes an uploaded picture and encodes it again in its own format, which is what gets stored
 * and served: every piece of metadata (EXIF with its GPS position, XMP, comments) is left behind,
 * the EXIF orientation is applied to the pixels first, and a file that does not decode is refused.
 * `maxPixels` bounds what a header may claim before anything is decoded (a 100,000 × 100,000 PNG
 * is a few bytes that would decompress into 30 GB).
 */
export async function normaliseImage(data: Buffer, type: ImageType, maxPixels: number): Promise<Buffer> {
  const animated = type.extension === 'gif' || type.extension === 'webp';
  try {
    // Lenient on damage a browser would still show (failOn: 'none'); a header that does not decode still fails.
    const image = sharp(data, { limitInputPixels: maxPixels, animated, failOn: 'none' }).rotate();
    switch (type.extension) {
      case 'jpg':
        return await image.jpeg({ quality: 85, mozjpeg: true }).toBuffer();
      case 'png':
        return await image.png({ compressionLevel: 9 }).toBuffer();
      case 'gif':
        return await image.gif().toBuffer();
      case 'webp':
        return await image.webp({ quality: 85 }).toBuffer();
    }
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw FieldValidationException.forField('image', `The image is too large: at most ${maxPixels.toLocaleString('en')} pixels.`);
    }
    throw FieldValidationException.forField('image', 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.');
  }
}
