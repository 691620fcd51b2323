import { ERROR_CODES as E, type CommandError } from '../errors';
import { effectiveRole } from '../meeting/roles';
import type { MeetingState, Seat } from '../meeting/state';
import { spokenIn } from './access';
import type { SpokenCommand } from './commands';

type HandsCommand = Extract<SpokenCommand, { type: `hand:${string}` | `hands:${string}` }>;

const refuse = (code: CommandError['code'], message: string): CommandError => ({ code, message });

/** Raised hands, HANDS-n. `me` is the admitted seat that sent the command. */
export function applyHands(s: MeetingState, c: HandsCommand, me: Seat): CommandError | null {
  const sp = spokenIn(s);
  const hands = sp.hands;
  switch (c.type) {
    case 'hands:enable':
      hands.enabled = c.enabled;
      if (!c.enabled) {
        hands.queue = [];
        hands.called = null;
      }
      return null;
    case 'hand:raise': {
      if (me.role !== 'participant') return refuse(E.FORBIDDEN, 'only a participant raises a hand');
      if (!hands.enabled) return refuse(E.WRONG_STATUS, 'raised hands are off');
      if (s.status !== 'running' || !s.current) return refuse(E.WRONG_STATUS, 'no running phase');
      // HANDS-3: a round holds the floor; hands already up keep their place.
      if (sp.round) return refuse(E.WRONG_STATUS, 'a round is running');
      const listens = s.phases[s.current.index]?.rules.presenterListens ?? false;
      if (listens && effectiveRole(s, me) === 'presenter')
        return refuse(E.LISTENING, 'the presenter listens');
      if (hands.queue.includes(me.id)) return refuse(E.WRONG_STATUS, 'hand already up');
      hands.queue.push(me.id);
      return null;
    }
    case 'hand:lower': {
      if (!hands.queue.includes(me.id)) return refuse(E.WRONG_STATUS, 'no hand up');
      hands.queue = hands.queue.filter((id) => id !== me.id);
      return null;
    }
    case 'hands:next': {
      // HANDS-4: the first hand is called and leaves the list.
      const first = hands.queue[0];
      if (first === undefined) return refuse(E.WRONG_STATUS, 'no hand up');
      hands.queue = hands.queue.slice(1);
      hands.called = first;
      return null;
    }
    case 'hands:clear':
      hands.queue = [];
      hands.called = null;
      return null;
  }
}

/** HANDS-5: hands drop, and the call ends, when their phase ends. */
export function dropHands(s: MeetingState): void {
  if (!s.spoken) return;
  s.spoken.hands.queue = [];
  s.spoken.hands.called = null;
}
