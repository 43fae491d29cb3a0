// Just enough JPEG parsing to check what the browser stored: frame size and metadata segments.

export interface JpegInfo {
  width: number;
  height: number;
  /** APPn/COM markers before the scan, e.g. 0xe1 (EXIF/XMP). */
  markers: number[];
}

export function readJpeg(bytes: Buffer): JpegInfo {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error("not a JPEG");
  const markers: number[] = [];
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) throw new Error(`bad marker at ${i}`);
    const marker = bytes[i + 1];
    const len = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7), markers };
    }
    markers.push(marker);
    i += 2 + len;
  }
  throw new Error("no frame header");
}

export const corpus = (p: string) => require("node:path").resolve(__dirname, "../../../fixtures/corpus", p);

/** Three small, quick photos of different shapes: for tests about the gallery, not the pipeline. */
export const SMALL_PHOTOS = ["photos/odd-exif.jpg", "photos/DSCN0010.jpg", "photos/Reconyx_HC500_Hyperfire.jpg"].map(corpus);
