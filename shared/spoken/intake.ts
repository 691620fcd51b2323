import { ERROR_CODES as E, type CommandError } from '../errors';
import { findSeat } from '../meeting/roles';
import type { MeetingState, Seat } from '../meeting/state';
import { nextId, spokenIn } from './access';
import type { SpokenCommand } from './commands';

type IntakeCommand = Extract<SpokenCommand, { type: `intake:${string}` }>;

const refuse = (code: CommandError['code'], message: string): CommandError => ({ code, message });

/** Case intake ("Who has a case?"), INTAKE-n. `me` is the admitted seat that sent the command. */
export function applyIntake(s: MeetingState, c: IntakeCommand, me: Seat): CommandError | null {
  const sp = spokenIn(s);
  const intake = sp.intake;
  switch (c.type) {
    case 'intake:open':
    case 'intake:close':
      intake.open = c.type === 'intake:open';
      return null;
    case 'intake:showLabels':
      intake.labelsShown = c.shown;
      return null;
    case 'intake:volunteer': {
      // INTAKE-2: a participant volunteers for themselves, while intake is open.
      if (me.role !== 'participant') return refuse(E.FORBIDDEN, 'only a participant can volunteer');
      if (!intake.open) return refuse(E.WRONG_STATUS, 'case intake is closed');
      if (intake.queue.some((v) => v.seatId === me.id)) return refuse(E.WRONG_STATUS, 'already volunteered');
      intake.queue.push({ id: nextId(sp, 'v'), seatId: me.id, name: '', label: (c.label ?? '').trim() });
      return null;
    }
    case 'intake:withdraw': {
      const before = intake.queue.length;
      intake.queue = intake.queue.filter((v) => v.seatId !== me.id);
      return intake.queue.length === before ? refuse(E.WRONG_STATUS, 'not volunteered') : null;
    }
    case 'intake:add': {
      // INTAKE-3: a leader enters someone who spoke up in the room (open or not).
      if (c.seatId !== undefined) {
        const seat = findSeat(s, c.seatId);
        if (!seat || !seat.admitted) return refuse(E.NO_SUCH_SEAT, 'no such seat');
        if (seat.role !== 'participant') return refuse(E.BAD_REQUEST, 'only a participant can volunteer');
        if (intake.queue.some((v) => v.seatId === seat.id))
          return refuse(E.WRONG_STATUS, 'already volunteered');
        intake.queue.push({ id: nextId(sp, 'v'), seatId: seat.id, name: '', label: '' });
      } else {
        intake.queue.push({ id: nextId(sp, 'v'), seatId: null, name: c.name ?? '', label: '' });
      }
      return null;
    }
    case 'intake:remove': {
      const before = intake.queue.length;
      intake.queue = intake.queue.filter((v) => v.id !== c.volunteerId);
      return intake.queue.length === before ? refuse(E.BAD_REQUEST, 'no such volunteer') : null;
    }
    case 'intake:pick': {
      // INTAKE-4: the pick presents that case; a name-only pick presents "without a device".
      const info = s.cases[c.caseIndex];
      if (!info) return refuse(E.BAD_REQUEST, 'no such case');
      const v = intake.queue.find((x) => x.id === c.volunteerId);
      if (!v) return refuse(E.BAD_REQUEST, 'no such volunteer');
      info.presenterSeatId = v.seatId;
      while (sp.presenterNames.length <= c.caseIndex) sp.presenterNames.push(null);
      sp.presenterNames[c.caseIndex] = v.seatId === null ? v.name : null;
      intake.queue = intake.queue.filter((x) => x.id !== v.id);
      // The case is chosen: intake closes; a leader opens it again for the next case.
      intake.open = false;
      return null;
    }
  }
}
