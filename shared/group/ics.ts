/**
 * GROUP-10: the next meeting as an iCalendar file (RFC 5545), made in the browser from what the
 * group page already shows: no endpoint, nothing more the server has to serve.
 */

function icsTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Commas, semicolons, backslashes and newlines are escaped in TEXT values (RFC 5545 3.3.11). */
function icsText(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

export interface IcsEvent {
  /** Stable per group and date, so a calendar updates rather than duplicates a re-download. */
  uid: string;
  title: string;
  startsAt: number;
  minutes: number;
  /** The member link: the calendar entry takes a member straight to the group page. */
  url: string;
  now: number;
}

export function buildIcs(e: IcsEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Balint Room//Group//EN',
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `DTSTAMP:${icsTime(e.now)}`,
    `DTSTART:${icsTime(e.startsAt)}`,
    `DTEND:${icsTime(e.startsAt + e.minutes * 60_000)}`,
    `SUMMARY:${icsText(e.title)}`,
    `URL:${e.url}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
