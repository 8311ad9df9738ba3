declare module 'aedes-persistence-level' {
  /** Returns an aedes persistence backed by a Level database (see aedes-persistence for the interface). */
  export default function aedesPersistenceLevel(db: object): unknown;
}
