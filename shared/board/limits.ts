/**
 * Limits that clients show too (a character counter). Kept in a module without zod, so that a
 * phone joining a meeting does not download the schema library for one number.
 */
export const NOTE_TEXT_MAX = 500;
