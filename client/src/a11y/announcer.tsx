import { useSyncExternalStore } from 'react';
import { createStore } from '../connection/store';

/**
 * One polite live region for the whole page, fed by `announce()`. Screen readers hear phase
 * changes, time warnings and new notes, but never a flood: messages are spaced at least
 * ANNOUNCE_GAP_MS apart, a newer message with the same key replaces a waiting one (three
 * batches of notes become one "new notes"), and the queue keeps at most ANNOUNCE_QUEUE_MAX.
 */
export const ANNOUNCE_GAP_MS = 3_000;
const ANNOUNCE_QUEUE_MAX = 3;

interface Message {
  key: string;
  text: string;
}

const spoken = createStore<{ text: string; serial: number }>({ text: '', serial: 0 });
const queue: Message[] = [];
let lastAt = -Infinity;
let timer: ReturnType<typeof setTimeout> | null = null;

function speakNext(): void {
  timer = null;
  const next = queue.shift();
  if (!next) return;
  lastAt = Date.now();
  spoken.set({ text: next.text, serial: spoken.get().serial + 1 });
  if (queue.length > 0) timer = setTimeout(speakNext, ANNOUNCE_GAP_MS);
}

/** Says `text` politely; `key` groups messages of one kind so only the latest of them waits. */
export function announce(text: string, key: string = text): void {
  const waiting = queue.findIndex((m) => m.key === key);
  if (waiting >= 0) queue.splice(waiting, 1);
  queue.push({ key, text });
  while (queue.length > ANNOUNCE_QUEUE_MAX) queue.shift();
  if (timer) return;
  const wait = lastAt + ANNOUNCE_GAP_MS - Date.now();
  if (wait <= 0) speakNext();
  else timer = setTimeout(speakNext, wait);
}

/**
 * The region itself: present from the first render (a region added together with its text is
 * often not read). The serial keys the text node, so the same words twice are read twice.
 */
export function LiveRegion() {
  const { text, serial } = useSyncExternalStore(spoken.subscribe, spoken.get);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="live">
      <span key={serial}>{text}</span>
    </div>
  );
}
