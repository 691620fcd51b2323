/**
 * Limits that clients show too (a character counter). Kept in a module without zod, so that a
 * phone joining a meeting does not download the schema library for one number.
 */
export const NOTE_TEXT_MAX = 500;
/** The name a leader gives a note written for a member without a device (as a display name). */
export const PROXY_NAME_MAX = 60;
