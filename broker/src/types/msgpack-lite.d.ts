declare module 'msgpack-lite' {
  /** Decodes one MessagePack value (aedes-persistence-level stores packets this way). */
  export function decode(buffer: Uint8Array): unknown;
}
