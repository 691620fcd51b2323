import type { AttendanceTotals, Place } from './attendance';
import type { GroupLanguage, GroupMode } from './rules';

/**
 * The attendance certificate (SPEC.md CERT-n) as data, and its text in three languages. One
 * source for the printable page (client) and the PDF (server), so both say the same; kept out of
 * the client's message catalogues because the server needs it too.
 */
export interface CertificateSession {
  startedAt: number;
  endedAt: number;
  mode: GroupMode;
  place: Place | null;
  counted: number;
  leaderNames: string[];
}

export interface CertificateData {
  lang: GroupLanguage;
  timeZone: string;
  memberName: string;
  groupName: string;
  from: number;
  to: number;
  sessions: CertificateSession[];
  totals: AttendanceTotals;
  leaders: { name: string; accreditation: string }[];
  place: string;
  issuedAt: number;
}

interface CertText {
  title: string;
  intro: (member: string, group: string, from: string, to: string) => string;
  date: string;
  type: string;
  duration: string;
  counted: string;
  ledBy: string;
  room: string;
  remote: string;
  online: string;
  inRoom: string;
  minutes: (n: number) => string;
  totals: (t: AttendanceTotals, fmt: (n: number) => string) => string;
  unit: string;
  leaders: string;
  placeDate: (place: string, date: string) => string;
  signature: string;
}

export const CERT_TEXT: Record<GroupLanguage, CertText> = {
  en: {
    title: 'Certificate of attendance: Balint group',
    intro: (m, g, f, t) => `${m} took part in the Balint group “${g}” between ${f} and ${t} as follows.`,
    date: 'Date',
    type: 'Type',
    duration: 'Duration',
    counted: 'Double sessions',
    ledBy: 'Led by',
    room: 'in person',
    remote: 'online',
    online: 'online',
    inRoom: 'in person',
    minutes: (n) => `${n} min`,
    totals: (t, f) =>
      `Total: ${f(t.doubleSessions)} double sessions of 90 minutes (${f(t.inPerson)} in person, ${f(t.online)} online) = ${f(t.hours)} hours.`,
    unit: 'Hours are 60-minute hours; a double session is 90 minutes.',
    leaders: 'Group leaders',
    placeDate: (p, d) => `${p}, ${d}`,
    signature: 'Signature and stamp of the group leader',
  },
  de: {
    title: 'Teilnahmebescheinigung: Balintgruppe',
    intro: (m, g, f, t) =>
      `${m} hat im Zeitraum vom ${f} bis ${t} wie folgt an der Balintgruppe „${g}“ teilgenommen.`,
    date: 'Datum',
    type: 'Form',
    duration: 'Dauer',
    counted: 'Doppelstunden',
    ledBy: 'Leitung',
    room: 'Präsenz',
    remote: 'online',
    online: 'online',
    inRoom: 'Präsenz',
    minutes: (n) => `${n} Min.`,
    totals: (t, f) =>
      `Insgesamt: ${f(t.doubleSessions)} Doppelstunden (${f(t.inPerson)} in Präsenz, ${f(t.online)} online) = ${f(t.germanUnits)} Stunden Balintgruppenarbeit.`,
    unit: 'Eine Stunde sind 45 Minuten; eine Doppelstunde sind 90 Minuten.',
    leaders: 'Gruppenleitung',
    placeDate: (p, d) => `${p}, den ${d}`,
    signature: 'Unterschrift und Stempel der Gruppenleitung',
  },
  el: {
    title: 'Βεβαίωση συμμετοχής: ομάδα Balint',
    intro: (m, g, f, t) => `Το μέλος ${m} συμμετείχε στην ομάδα Balint «${g}» από ${f} έως ${t} ως εξής.`,
    date: 'Ημερομηνία',
    type: 'Μορφή',
    duration: 'Διάρκεια',
    counted: 'Διπλές συνεδρίες',
    ledBy: 'Συντονισμός',
    room: 'δια ζώσης',
    remote: 'διαδικτυακά',
    online: 'διαδικτυακά',
    inRoom: 'δια ζώσης',
    minutes: (n) => `${n} λεπτά`,
    totals: (t, f) =>
      `Σύνολο: ${f(t.doubleSessions)} διπλές συνεδρίες των 90 λεπτών (${f(t.inPerson)} δια ζώσης, ${f(t.online)} διαδικτυακά) = ${f(t.hours)} ώρες.`,
    unit: 'Οι ώρες είναι των 60 λεπτών· μια διπλή συνεδρία διαρκεί 90 λεπτά.',
    leaders: 'Συντονιστές της ομάδας',
    placeDate: (p, d) => `${p}, ${d}`,
    signature: 'Υπογραφή και σφραγίδα του συντονιστή',
  },
};

export interface CertificateLines {
  title: string;
  intro: string;
  head: [string, string, string, string, string];
  rows: [string, string, string, string, string][];
  totals: string;
  unit: string;
  leadersTitle: string;
  leaders: string[];
  placeDate: string;
  signature: string;
}

/** CERT-1: the certificate's text, line by line, in the certificate's language. */
export function certificateLines(d: CertificateData): CertificateLines {
  const tx = CERT_TEXT[d.lang];
  const day = new Intl.DateTimeFormat(d.lang, { dateStyle: 'long', timeZone: d.timeZone }).format;
  const num = new Intl.NumberFormat(d.lang).format;
  const kind = (s: CertificateSession) =>
    s.mode === 'online' || s.place === 'remote' ? tx.online : tx.inRoom;
  return {
    title: tx.title,
    intro: tx.intro(d.memberName, d.groupName, day(d.from), day(d.to)),
    head: [tx.date, tx.type, tx.duration, tx.counted, tx.ledBy],
    rows: d.sessions.map((s) => [
      day(s.startedAt),
      kind(s),
      tx.minutes(Math.round((s.endedAt - s.startedAt) / 60_000)),
      num(s.counted),
      s.leaderNames.join(', '),
    ]),
    totals: tx.totals(d.totals, num),
    unit: tx.unit,
    leadersTitle: tx.leaders,
    leaders: d.leaders.map((l) => (l.accreditation ? `${l.name}: ${l.accreditation}` : l.name)),
    placeDate: tx.placeDate(d.place, day(d.issuedAt)),
    signature: tx.signature,
  };
}

/** A time zone the runtime knows, else UTC (the page sends the browser's own). */
export function safeTimeZone(tz: string | undefined): string {
  if (!tz) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}
