import { useEffect, useState } from 'react';
import type { MeetingView } from '../../../shared/meeting/view';

/** Device-wide, not per meeting: the room's network stays the same from one meeting to the next. */
const STORAGE_KEY = 'balint.joinOrigin';

/** A host only this computer can open: phones in the room would reach their own device. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Where phones can open the join link. On a loopback page the server's offer (PUBLIC_ORIGIN or
 * its network addresses) replaces the page's own origin; any other page was opened at an
 * address the room can reach already, so it keeps it.
 */
export function joinOriginChoices(
  page: { origin: string; hostname: string },
  offered: readonly string[] | undefined,
): string[] {
  if (offered && offered.length > 0 && isLoopbackHost(page.hostname)) return [...offered];
  return [page.origin];
}

/** The remembered pick when it is still offered, else the first choice. */
export function chosenOrigin(choices: readonly string[], remembered: string | null): string {
  return remembered && choices.includes(remembered) ? remembered : (choices[0] ?? '');
}

/** The join link for this page right now, outside React (the start screen's one-off answer). */
export function joinLinkFor(offered: readonly string[] | undefined, joinCode: string): string {
  const origin = chosenOrigin(joinOriginChoices(location, offered), readRemembered());
  return `${origin}/join#code=${encodeURIComponent(joinCode)}`;
}

function readRemembered(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * The join origin for this page, and the leader's pick among several. The pick is kept on the
 * device, so a projector window on the same laptop follows it (the storage event) at once.
 */
export function useJoinOrigin(view: MeetingView): {
  origin: string;
  choices: string[];
  choose: (origin: string) => void;
  /** The page is on loopback and the server offers nothing: phones cannot use this link. */
  unreachable: boolean;
} {
  const [remembered, setRemembered] = useState(readRemembered);
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === STORAGE_KEY) setRemembered(e.newValue);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);
  const choices = joinOriginChoices(location, view.phoneOrigins);
  return {
    origin: chosenOrigin(choices, remembered),
    choices,
    choose(origin) {
      try {
        localStorage.setItem(STORAGE_KEY, origin);
      } catch {
        // Storage refused: the pick lasts for this page.
      }
      setRemembered(origin);
    },
    unreachable: isLoopbackHost(location.hostname) && !view.phoneOrigins?.length,
  };
}
