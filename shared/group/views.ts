import type { AnonymityMode } from '../meeting/state';
import type { TemplatePhase } from '../meeting/templates';
import type { GroupLanguage, GroupMode, LeaderRights, MemberStatus, NextMeetingStatus } from './rules';

/** What the REST API answers about a group (docs/protocol.md, "Groups"); types only, no zod. */
export interface GroupSettings {
  name: string;
  language: GroupLanguage;
  mode: GroupMode;
  anonymity: AnonymityMode;
  plan: { name: string; phases: TemplatePhase[] };
}

/** A leader's view of their group: the roster, the requests, the links (never a token). */
export interface GroupLeaderView {
  groupId: string;
  settings: GroupSettings;
  you: { leaderId: string; linkId: string; rights: LeaderRights };
  leaders: {
    id: string;
    name: string;
    rights: LeaderRights;
    accreditation: string;
    links: { id: string; label: string }[];
  }[];
  members: { id: string; name: string; status: MemberStatus }[];
  memberCode: string;
  memberLink: string;
  nextAt: number | null;
  currentMeetingId: string | null;
  /** Whether a recovery code exists (it is shown once, at creation or after a recovery). */
  hasRecoveryCode: boolean;
  /** GROUP-16: set in the last 30 days before the group is deleted for lack of meetings. */
  deletesAt: number | null;
}

/** A member's view: their own entry and the next meeting, nothing about anyone else. */
export interface GroupMemberView {
  groupId: string;
  groupName: string;
  language: GroupLanguage;
  you: { memberId: string; name: string; status: MemberStatus };
  nextAt: number | null;
  deletesAt: number | null;
  meeting: NextMeetingStatus;
}

export interface CreatedGroup {
  groupId: string;
  leaderLink: string;
  memberLink: string;
  memberCode: string;
  /** GROUP-4: shown once, to print; the server keeps only its hash. */
  recoveryCode: string;
}

/** A seat in the group's live meeting, for a member or leader coming in through the group. */
export interface GroupSeat {
  meetingId: string;
  seatId: string;
  token: string;
  role: 'leader' | 'co-leader' | 'participant';
}

/** A session as leaders see it: every roster member's line, proposed or confirmed (ATT-n). */
export interface GroupSessionView {
  id: string;
  startedAt: number;
  endedAt: number;
  plannedMinutes: number;
  mode: GroupMode;
  status: 'proposed' | 'confirmed';
  doubleSessions: number;
  leaderNames: string[];
  attendance: { memberId: string; name: string; attended: boolean; place: 'room' | 'remote' | null }[];
}

/** A member's own record: confirmed sessions only, with what each counts for them. */
export interface MemberRecordView {
  name: string;
  groupName: string;
  sessions: {
    id: string;
    startedAt: number;
    endedAt: number;
    mode: GroupMode;
    place: 'room' | 'remote' | null;
    attended: boolean;
    counted: number;
    leaderNames: string[];
  }[];
  totals: { inPerson: number; online: number; doubleSessions: number; germanUnits: number; hours: number };
}
