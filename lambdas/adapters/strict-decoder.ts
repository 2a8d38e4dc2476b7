import { isUtf8 } from "node:buffer";
import { Transform } from "node:stream";

/** Where bytes were not valid in the declared encoding. */
export interface InvalidBytes {
  /** 0-based byte offset in the file. */
  readonly offset: number;
  /** 1-based line (LF-separated) the bytes are on. */
  readonly line: number;
  /** The offending bytes (at most 4). */
  readonly bytes: Buffer;
}

/** Encodings a vendor can declare for its files (`channels.file.encoding`). */
export type FileEncoding = "utf-8" | "windows-1252" | "latin1" | "utf-16le";

/** Length of a UTF-8 sequence from its lead byte, 0 when it cannot lead one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Allowed range of the byte after a lead byte (overlongs, surrogates and > U+10FFFF excluded, RFC 3629). */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/**
 * Length of the valid UTF-8 sequence at `i`, or the negative length of its maximal invalid subpart
 * (W3C/Unicode "maximal subpart" practice), or 0 when the buffer ends inside a sequence that may
 * still complete.
 */
function validSequenceAt(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] as number;
  const length = sequenceLength(lead);
  if (length === 0) return -1;
  for (let k = 1; k < length; k++) {
    if (i + k >= bytes.length) return 0;
    const byte = bytes[i + k] as number;
    const [low, high] = k === 1 ? secondByteRange(lead) : [0x80, 0xbf];
    if (byte < low || byte > high) return -k;
  }
  return length;
}

/**
 * Decodes a file's bytes and records every sequence that is not valid in the declared encoding, with
 * its byte offset and line, in file order ({@link StrictDecoder.invalid}). The text has U+FFFD where
 * such bytes were (a reader must reject the rows on those lines: a U+FFFD that was not in the
 * source is never stored), while a U+FFFD the file really holds is not recorded.
 */
export class StrictDecoder {
  readonly encoding: FileEncoding;
  /** Invalid sequences found so far, in file order. */
  readonly invalid: InvalidBytes[] = [];
  #consumed = 0;
  /** Line breaks (LF) in the bytes decoded so far. */
  #breaks = 0;
  #pending: Buffer = Buffer.alloc(0);
  #single: ((bytes: Buffer) => string) | undefined;

  constructor(encoding: FileEncoding, singleByte?: (bytes: Buffer) => string) {
    this.encoding = encoding;
    this.#single = singleByte;
  }

  /**
   * Decodes the next chunk (a sequence split across chunks is completed by the next one). Valid
   * UTF-8 comes back as its own bytes (no copy through a string); anything else as text.
   */
  write(chunk: Buffer): string | Buffer {
    return this.#decode(this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk, false);
  }

  /** Decodes what is left: a sequence the file ends inside is invalid. */
  end(): string | Buffer {
    return this.#decode(this.#pending, true);
  }

  /** Records an invalid sequence at `index` of `bytes` (which start at file offset `base`). */
  #mark(bytes: Buffer, base: number, index: number, length: number): string {
    this.invalid.push({
      offset: base + index,
      line: this.#breaks + countBreaks(bytes, 0, index, this.encoding) + 1,
      bytes: Buffer.from(bytes.subarray(index, index + Math.min(length, 4))),
    });
    return "\uFFFD";
  }

  #decode(bytes: Buffer, final: boolean): string | Buffer {
    const base = this.#consumed;
    let text: string | Buffer;
    let used: number;
    if (this.encoding === "utf-8") [text, used] = this.#utf8(bytes, base, final);
    else if (this.encoding === "utf-16le") [text, used] = this.#utf16le(bytes, base, final);
    else [text, used] = this.#singleByte(bytes, base);
    this.#breaks += countBreaks(bytes, 0, used, this.encoding);
    this.#pending = Buffer.from(bytes.subarray(used));
    this.#consumed = base + used;
    return text;
  }

  #utf8(bytes: Buffer, base: number, final: boolean): [string | Buffer, number] {
    // Keep back a sequence cut by the chunk's end.
    let end = bytes.length;
    if (!final) {
      for (let back = 1; back <= 3 && back <= bytes.length; back++) {
        const byte = bytes[bytes.length - back] as number;
        if (byte >= 0xc0) {
          if (sequenceLength(byte) > back) end = bytes.length - back;
          break;
        }
        if (byte < 0x80) break;
      }
    }
    const body = bytes.subarray(0, end);
    if (isUtf8(body)) return [body, end];
    let text = "";
    let run = 0;
    let i = 0;
    while (i < end) {
      const length = validSequenceAt(body, i);
      if (length > 0) {
        i += length;
        continue;
      }
      const bad = length === 0 ? end - i : -length;
      text += body.toString("utf8", run, i) + this.#mark(body, base, i, bad);
      i += bad;
      run = i;
    }
    return [text + body.toString("utf8", run, end), end];
  }

  #utf16le(bytes: Buffer, base: number, final: boolean): [string, number] {
    let end = bytes.length - (bytes.length % 2);
    // A high surrogate at the end may be completed by the next chunk.
    if (!final && end >= 2) {
      const last = bytes.readUInt16LE(end - 2);
      if (last >= 0xd800 && last <= 0xdbff) end -= 2;
    }
    let text = "";
    let run = 0;
    for (let i = 0; i < end; i += 2) {
      const unit = bytes.readUInt16LE(i);
      if (unit < 0xd800 || unit > 0xdfff) continue;
      const next = i + 2 < end ? bytes.readUInt16LE(i + 2) : -1;
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i += 2;
        continue;
      }
      text += bytes.toString("utf16le", run, i) + this.#mark(bytes, base, i, 2);
      run = i + 2;
    }
    text += bytes.toString("utf16le", run, end);
    if (final && end < bytes.length) text += this.#mark(bytes, base, end, bytes.length - end);
    return [text, final ? bytes.length : end];
  }

  #singleByte(bytes: Buffer, base: number): [string, number] {
    const decoded = this.#single ? this.#single(bytes) : bytes.toString("latin1");
    // One character per byte: a U+FFFD the table gives marks a byte the encoding does not define.
    let text = "";
    let run = 0;
    for (let i = decoded.indexOf("\uFFFD"); i >= 0; i = decoded.indexOf("\uFFFD", i + 1)) {
      text += decoded.slice(run, i) + this.#mark(bytes, base, i, 1);
      run = i + 1;
    }
    return [text + decoded.slice(run), bytes.length];
  }
}

/** Line feeds in `bytes[from, to)`: LF bytes, or LF code units in UTF-16LE. */
function countBreaks(bytes: Buffer, from: number, to: number, encoding: FileEncoding): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a, from); i >= 0 && i < to; i = bytes.indexOf(0x0a, i + 1)) {
    if (encoding !== "utf-16le" || ((i - from) % 2 === 0 && bytes[i + 1] === 0)) count++;
  }
  return count;
}

/** @returns a stream of text decoded by `decoder` from a byte stream. */
export function strictDecodeStream(decoder: StrictDecoder): Transform {
  return new Transform({
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, decoder.write(chunk));
    },
    flush(callback) {
      callback(null, decoder.end());
    },
  });
}

/** The encoding a file's invalid bytes most likely come from, for the reject message. */
export function likelyEncoding(declared: FileEncoding, sample: InvalidBytes): FileEncoding | undefined {
  const [first = 0] = sample.bytes;
  // A UTF-16 byte order mark (FF FE) at the start.
  if (declared !== "utf-16le" && sample.offset === 0 && first === 0xff) return "utf-16le";
  if (declared === "utf-8") return "windows-1252";
  if (declared === "utf-16le") return "utf-8";
  return "utf-8";
}
