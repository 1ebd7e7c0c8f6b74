/**
 * A minimal PNG encoder (node:zlib only): page images decoded by pdf.js as raw pixels become PNG files for the
 * model without a canvas. pdf.js itself would hand them to `@napi-rs/canvas` (a native binary) to encode, which
 * the worker's Lambda bundle does not ship.
 */
import { deflateSync } from "node:zlib";

/** Pixel layouts pdf.js decodes images into (its `ImageKind`). */
export const PIXEL_KIND = { GRAYSCALE_1BPP: 1, RGB_24BPP: 2, RGBA_32BPP: 3 } as const;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes pdf.js pixels as a PNG: 1-bit grey rows as they are (PNG's own bit order is the same), RGB and RGBA as
 * 8-bit truecolour. Filter type 0 on every row: the model reads the image, size is bounded by the 20 MB input.
 */
export function encodePng(width: number, height: number, kind: number, pixels: Uint8Array): Buffer {
  const [colorType, bitDepth, rowBytes] =
    kind === PIXEL_KIND.GRAYSCALE_1BPP
      ? [0, 1, Math.ceil(width / 8)]
      : kind === PIXEL_KIND.RGB_24BPP
        ? [2, 8, width * 3]
        : kind === PIXEL_KIND.RGBA_32BPP
          ? [6, 8, width * 4]
          : [-1, 0, 0];
  if (colorType < 0) throw new Error(`unknown pixel layout ${kind}`);
  if (pixels.length < rowBytes * height) throw new Error("image data shorter than its size says");
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++)
    raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ]);
}
