// The part of qlobber's API the ACL property test uses (the matcher aedes routes with, via mqemitter).
declare module 'qlobber' {
  export class Qlobber {
    constructor(options: {
      separator: string;
      wildcard_one: string;
      wildcard_some: string;
      match_empty_levels: boolean;
    });
    add(topic: string, value: unknown): this;
    match(topic: string): unknown[];
  }
}
