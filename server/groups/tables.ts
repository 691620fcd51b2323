/** The group tables as Kysely sees them (the schema itself: schema.ts). */
import type { Generated } from 'kysely';

export interface GroupDbRow {
  id: string;
  name: string;
  language: string;
  mode: string;
  anonymity: string;
  plan: string;
  member_code: string;
  recovery_hash: string | null;
  next_at: number | null;
  current_meeting_id: string | null;
  created_at: number;
  current_started_at: number | null;
  last_meeting_at: number | null;
  labels_shared: Generated<number>;
}

export interface LeaderDbRow {
  id: string;
  group_id: string;
  name: string;
  rights: string;
  accreditation: Generated<string>;
}

export interface LeaderLinkDbRow {
  token_hash: string;
  id: string;
  group_id: string;
  leader_id: string;
  label: string;
  created_at: number;
}

export interface MemberDbRow {
  id: string;
  group_id: string;
  name: string;
  status: string;
  created_at: number;
}

export interface MemberDeviceDbRow {
  token_hash: string;
  id: string;
  group_id: string;
  member_id: string;
  created_at: number;
}

export interface MeetingSeatDbRow {
  meeting_id: string;
  person: string;
  group_id: string;
  seat_id: string;
}

export interface PresenceSlotDbRow {
  meeting_id: string;
  person: string;
  slot: number;
  group_id: string;
}

export interface SessionDbRow {
  id: string;
  group_id: string;
  started_at: number;
  ended_at: number;
  planned_minutes: number;
  mode: string;
  status: string;
  double_sessions: number;
  leader_names: string;
}

export interface AttendanceDbRow {
  session_id: string;
  member_id: string;
  attended: number;
  place: string | null;
  /** CONF-40 on PostgreSQL: `attended` and `place`, sealed under the member's key (null on SQLite). */
  record: string | null;
}

export interface EvaluationDbRow {
  id: string;
  group_id: string;
  closed_at: number;
  answers: number;
  counts: string;
}

export interface DebriefDbRow {
  id: string;
  group_id: string;
  meeting_at: number;
  text: string;
  version: number;
  updated_at: number;
}

export interface CaseLabelDbRow {
  id: string;
  group_id: string;
  label: string;
  case_at: number;
  follow_up: number;
  presenter_id: string | null;
  renewed_at: number;
}

export interface GroupsDb {
  groups: GroupDbRow;
  leaders: LeaderDbRow;
  leader_links: LeaderLinkDbRow;
  members: MemberDbRow;
  member_devices: MemberDeviceDbRow;
  meeting_seats: MeetingSeatDbRow;
  presence_slots: PresenceSlotDbRow;
  sessions: SessionDbRow;
  attendance: AttendanceDbRow;
  evaluations: EvaluationDbRow;
  debriefs: DebriefDbRow;
  case_labels: CaseLabelDbRow;
}
