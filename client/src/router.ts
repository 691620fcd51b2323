import { useSyncExternalStore } from 'react';

/** Every screen the app has; the path decides, nothing else. */
export type Route =
  | { name: 'start' }
  | { name: 'about' }
  | { name: 'privacy' }
  | { name: 'join' }
  | { name: 'lead'; meetingId: string }
  | { name: 'projector'; meetingId: string }
  | { name: 'seat'; meetingId: string }
  | { name: 'group-new' }
  | { name: 'group-join' }
  | { name: 'group-lead'; groupId: string }
  | { name: 'group-member'; groupId: string }
  | { name: 'group-certificate'; groupId: string }
  | { name: 'not-found' };

const MEETING_PATH = /^\/m\/([A-Za-z0-9_-]{1,64})\/(lead|projector|seat)\/?$/;
const GROUP_PATH = /^\/g\/([A-Za-z0-9_-]{1,64})(\/lead|\/certificate)?\/?$/;

export function matchRoute(pathname: string): Route {
  switch (pathname.replace(/\/+$/, '') || '/') {
    case '/':
      return { name: 'start' };
    case '/about':
      return { name: 'about' };
    case '/privacy':
      return { name: 'privacy' };
    case '/join':
      return { name: 'join' };
    case '/g/new':
      return { name: 'group-new' };
    case '/g/join':
      return { name: 'group-join' };
  }
  const g = GROUP_PATH.exec(pathname);
  if (g?.[1]) {
    if (g[2] === '/lead') return { name: 'group-lead', groupId: g[1] };
    if (g[2] === '/certificate') return { name: 'group-certificate', groupId: g[1] };
    return { name: 'group-member', groupId: g[1] };
  }
  const m = MEETING_PATH.exec(pathname);
  if (m?.[1] && m[2]) {
    const meetingId = m[1];
    switch (m[2]) {
      case 'lead':
        return { name: 'lead', meetingId };
      case 'projector':
        return { name: 'projector', meetingId };
      case 'seat':
        return { name: 'seat', meetingId };
    }
  }
  return { name: 'not-found' };
}

export const paths = {
  start: () => '/',
  about: () => '/about',
  privacy: () => '/privacy',
  join: (code?: string) => (code ? `/join#code=${encodeURIComponent(code)}` : '/join'),
  lead: (meetingId: string) => `/m/${meetingId}/lead`,
  projector: (meetingId: string) => `/m/${meetingId}/projector`,
  seat: (meetingId: string) => `/m/${meetingId}/seat`,
  groupNew: () => '/g/new',
  groupLead: (groupId: string) => `/g/${groupId}/lead`,
  groupMember: (groupId: string) => `/g/${groupId}`,
  /** A leader names the member in the query (`?member=`); a member gets their own. */
  groupCertificate: (groupId: string, memberId?: string) =>
    `/g/${groupId}/certificate${memberId ? `?member=${encodeURIComponent(memberId)}` : ''}`,
};

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

export function usePathname(): string {
  return useSyncExternalStore(
    subscribe,
    () => location.pathname,
    () => '/',
  );
}

export function useRoute(): Route {
  return matchRoute(usePathname());
}

/** Reads `key` from the URL fragment (`#a=1&b=2`): secrets ride there so they never reach a log. */
export function readFragment(key: string): string | null {
  return new URLSearchParams(location.hash.replace(/^#/, '')).get(key);
}

/** Removes the fragment from the address bar without a reload, so a secret does not linger. */
export function clearFragment(): void {
  history.replaceState(history.state, '', location.pathname + location.search);
}

const takenSecrets = new Map<string, string>();

/**
 * Takes a secret from the fragment once: the first call reads it and removes the fragment from
 * the address bar; later calls on the same page (React StrictMode runs effects twice) get the
 * same value from memory.
 */
export function takeFragmentSecret(key: string): string | null {
  const slot = `${location.pathname}#${key}`;
  const fresh = readFragment(key);
  if (fresh) {
    takenSecrets.set(slot, fresh);
    clearFragment();
  }
  return takenSecrets.get(slot) ?? null;
}
