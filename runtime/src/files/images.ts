// Image dimensions read from the file's header (PNG, JPEG, GIF, WebP, AVIF, SVG, ... through image-size, pure
// JavaScript): no decoding, no native library.
import { imageSize } from 'image-size';

export interface ImageDimensions { width: number; height: number; type: string }

/** The image's width and height, or null when the bytes are not an image this reader knows. */
export function imageDimensions(data: Uint8Array): ImageDimensions | null {
  try {
    const r = imageSize(data);
    if (!r.width || !r.height) return null;
    // JPEG and HEIF orientations 5-8 are rotated a quarter turn: width and height as displayed.
    const turned = r.orientation !== undefined && r.orientation >= 5;
    return { width: turned ? r.height : r.width, height: turned ? r.width : r.height, type: r.type ?? 'unknown' };
  } catch {
    return null;
  }
}
