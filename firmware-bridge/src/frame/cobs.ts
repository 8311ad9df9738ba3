/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999). Removes every 0x00 from a frame so 0x00 can
 * delimit frames: a receiver resynchronises at the next 0x00 whatever garbage came before.
 */
export function cobsEncode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length + Math.ceil(input.length / 254) + 1);
  let codeIndex = 0;
  let write = 1;
  let code = 1;
  for (const byte of input) {
    if (byte === 0) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
      continue;
    }
    out[write++] = byte;
    code++;
    if (code === 0xff) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
    }
  }
  out[codeIndex] = code;
  return out.subarray(0, write);
}

/** Returns undefined when the input is not valid COBS (a zero byte, or a code running past the end). */
export function cobsDecode(input: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(input.length);
  let read = 0;
  let write = 0;
  while (read < input.length) {
    const code = input[read] as number;
    if (code === 0 || read + code > input.length) return undefined;
    read++;
    for (let i = 1; i < code; i++) {
      const byte = input[read++] as number;
      if (byte === 0) return undefined;
      out[write++] = byte;
    }
    if (code !== 0xff && read < input.length) out[write++] = 0;
  }
  return out.subarray(0, write);
}
