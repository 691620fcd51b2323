/// <reference types="vite/client" />

/** Set by vite.config.ts at build time: the running version and where its source is. */
declare const __BALINT_VERSION__: string;
declare const __BALINT_COMMIT__: string;
declare const __BALINT_SOURCE_URL__: string;
