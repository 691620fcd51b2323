/** Countdown text: `12:34` while time is left, `+1:05` in overtime. Whole seconds, rounded up. */
export function formatCountdown(remainingMs: number): string {
  if (remainingMs >= 0) {
    const s = Math.ceil(remainingMs / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
  const s = Math.floor(-remainingMs / 1000);
  return `+${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Whole seconds left (negative in overtime), as the countdown shows them. */
export function remainingSeconds(remainingMs: number): number {
  return remainingMs >= 0 ? Math.ceil(remainingMs / 1000) : -Math.floor(-remainingMs / 1000);
}

/** A wall-clock time in the reader's language, e.g. "10:42". */
export function formatTimeOfDay(epochMs: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(new Date(epochMs));
}

export const minutesOf = (ms: number): number => Math.round(ms / 60_000);

/** A date and time in the reader's language, e.g. "12 March 2026, 10:42". */
export function formatDateTime(epochMs: number, lang: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(epochMs));
}
