/**
 * The groups' records as the code uses them, and their translation from the tables' rows: written
 * once, for both databases.
 */
import type { Selectable } from 'kysely';
import type { Place } from '../../shared/group/attendance';
import type { CaseLabelRecord } from '../../shared/group/followUp';
import type { GroupLanguage, GroupMode, LeaderRights, MemberStatus } from '../../shared/group/rules';
import type { AnonymityMode } from '../../shared/meeting/state';
import type { TemplatePhase } from '../../shared/meeting/templates';
import type {
  AttendanceDbRow,
  CaseLabelDbRow,
  DebriefDbRow,
  GroupDbRow,
  LeaderDbRow,
  LeaderLinkDbRow,
  MemberDbRow,
  SessionDbRow,
} from './tables';

export interface GroupPlan {
  name: string;
  phases: TemplatePhase[];
}

export interface GroupRow {
  id: string;
  name: string;
  language: GroupLanguage;
  mode: GroupMode;
  anonymity: AnonymityMode;
  plan: GroupPlan;
  memberCode: string;
  recoveryHash: string | null;
  nextAt: number | null;
  currentMeetingId: string | null;
  createdAt: number;
  /** GROUP-16: when a meeting of the group last started; null until the first. */
  lastMeetingAt?: number | null;
  /** FOLLOW-4: a leader shares the case labels (never their presenters) with the members. */
  labelsShared?: boolean;
}

export interface LeaderRow {
  id: string;
  groupId: string;
  name: string;
  rights: LeaderRights;
  /** CERT-2: printed on certificates; empty until the leader enters it. */
  accreditation?: string;
}

export interface LeaderLinkRow {
  id: string;
  leaderId: string;
  label: string;
  createdAt: number;
}

export interface MemberRow {
  id: string;
  groupId: string;
  name: string;
  status: MemberStatus;
  createdAt: number;
}

export interface SessionRow {
  id: string;
  groupId: string;
  startedAt: number;
  endedAt: number;
  plannedMinutes: number;
  mode: GroupMode;
  status: 'proposed' | 'confirmed';
  doubleSessions: number;
  leaderNames: string[];
}

export interface AttendanceRow {
  sessionId: string;
  memberId: string;
  attended: boolean;
  place: Place | null;
}

export interface DebriefRow {
  id: string;
  meetingAt: number;
  text: string;
  version: number;
  updatedAt: number;
}

export interface EvaluationRow {
  closedAt: number;
  answers: number;
  counts: unknown;
}

/** Who a token is: a leader's link or a member's device, always within one group. */
export type GroupIdentity =
  | { kind: 'leader'; groupId: string; leaderId: string; linkId: string }
  | { kind: 'member'; groupId: string; memberId: string; deviceId: string };

export function toGroup(r: Selectable<GroupDbRow>): GroupRow {
  return {
    id: r.id,
    name: r.name,
    language: r.language as GroupLanguage,
    mode: r.mode as GroupMode,
    anonymity: r.anonymity as AnonymityMode,
    plan: JSON.parse(r.plan) as GroupPlan,
    memberCode: r.member_code,
    recoveryHash: r.recovery_hash,
    nextAt: r.next_at,
    currentMeetingId: r.current_meeting_id,
    createdAt: r.created_at,
    lastMeetingAt: r.last_meeting_at,
    labelsShared: r.labels_shared === 1,
  };
}

export function toLeader(r: Selectable<LeaderDbRow>): LeaderRow {
  return {
    id: r.id,
    groupId: r.group_id,
    name: r.name,
    rights: r.rights as LeaderRights,
    accreditation: r.accreditation,
  };
}

export function toLeaderLink(r: Pick<LeaderLinkDbRow, 'id' | 'leader_id' | 'label' | 'created_at'>) {
  return { id: r.id, leaderId: r.leader_id, label: r.label, createdAt: r.created_at } satisfies LeaderLinkRow;
}

export function toMember(r: MemberDbRow): MemberRow {
  return {
    id: r.id,
    groupId: r.group_id,
    name: r.name,
    status: r.status as MemberStatus,
    createdAt: r.created_at,
  };
}

export function toSession(r: SessionDbRow): SessionRow {
  return {
    id: r.id,
    groupId: r.group_id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    plannedMinutes: r.planned_minutes,
    mode: r.mode as GroupMode,
    status: r.status as SessionRow['status'],
    doubleSessions: r.double_sessions,
    leaderNames: JSON.parse(r.leader_names) as string[],
  };
}

export function toAttendance(r: AttendanceDbRow): AttendanceRow {
  return {
    sessionId: r.session_id,
    memberId: r.member_id,
    attended: r.attended === 1,
    place: r.place as Place | null,
  };
}

export function toDebrief(r: Omit<DebriefDbRow, 'group_id'>): DebriefRow {
  return { id: r.id, meetingAt: r.meeting_at, text: r.text, version: r.version, updatedAt: r.updated_at };
}

export function toCaseLabel(r: Omit<CaseLabelDbRow, 'group_id'>): CaseLabelRecord {
  return {
    id: r.id,
    label: r.label,
    caseAt: r.case_at,
    followUp: r.follow_up === 1,
    presenterId: r.presenter_id,
    renewedAt: r.renewed_at,
  };
}
