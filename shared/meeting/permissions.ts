import type { MeetingCommandType } from './commands';

/**
 * Who may send each meeting command (ROLE-1). `leaders`: leader and co-leader. `members`: any
 * admitted seat but the projector; the command's own rules narrow it further (only participants
 * volunteer or raise a hand, only the speaker passes). `presenter`: the case's presenter, and
 * leaders to undo (BOARD-10). The record is exhaustive, so a new command
 * does not compile until it has its row.
 */
export type Access = 'leaders' | 'members' | 'presenter';

export const COMMAND_ACCESS: Record<MeetingCommandType, Access> = {
  'meeting:start': 'leaders',
  'meeting:end': 'leaders',
  'timer:pause': 'leaders',
  'timer:resume': 'leaders',
  'timer:adjust': 'leaders',
  'phase:next': 'leaders',
  'phase:previous': 'leaders',
  'phase:jump': 'leaders',
  'phase:setDuration': 'leaders',
  'phase:add': 'leaders',
  'phase:remove': 'leaders',
  'phase:addFollowUp': 'leaders',
  'case:add': 'leaders',
  'presenter:set': 'leaders',
  'seat:setRole': 'leaders',
  'seat:remove': 'leaders',
  'seat:admit': 'leaders',
  'joinCode:rotate': 'leaders',
  'settings:update': 'leaders',
  'case:setParkingLot': 'leaders',
  // The case's presenter turns their marks on for the room; the presenter or a leader off (BOARD-10).
  'case:showResonance': 'presenter',
  // Push-back prompts (prompts.ts).
  'prompt:show': 'leaders',
  'prompt:clear': 'leaders',
  'prompt:save': 'leaders',
  'prompt:forget': 'leaders',
  // The spoken work (shared/spoken/).
  'meeting:setFormat': 'leaders',
  'intake:open': 'leaders',
  'intake:close': 'leaders',
  'intake:volunteer': 'members',
  'intake:withdraw': 'members',
  'intake:add': 'leaders',
  'intake:pick': 'leaders',
  'intake:remove': 'leaders',
  'intake:showLabels': 'leaders',
  'hands:enable': 'leaders',
  'hand:raise': 'members',
  'hand:lower': 'members',
  'hands:next': 'leaders',
  'hands:clear': 'leaders',
  'seating:set': 'leaders',
  'round:start': 'leaders',
  'round:add': 'leaders',
  'round:next': 'leaders',
  'round:pass': 'members',
  'round:end': 'leaders',
};
