import { z } from 'zod';

// zod compiles object parsers with `new Function` unless told not to; the console's CSP forbids eval, so
// every page load reported a violation that buried real ones (issue 12, Low). zod reads this setting when a
// schema is created, so this module is imported before anything that defines schemas.
z.config({ jitless: true });
