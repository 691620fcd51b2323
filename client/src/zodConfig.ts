import { z } from 'zod';

// Zod compiles faster object parsers with `new Function` when it may, and probes for that with
// `Function('')`. Under the server's Content-Security-Policy (script-src 'self', no 'unsafe-eval')
// the probe fails, harmlessly but as a reported violation on every screen; parse without it.
z.config({ jitless: true });
