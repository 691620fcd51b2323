/**
 * What a group stores, table by table (SPEC.md GROUP-13): the Privacy page is made from this list,
 * and a test holds it equal to the group file's real schema, so neither can drift from the other.
 * `kept` names how long the rows stay.
 */
export const GROUP_STORAGE = [
  {
    table: 'groups',
    columns: [
      'id',
      'name',
      'language',
      'mode',
      'anonymity',
      'plan',
      'member_code',
      'recovery_hash',
      'next_at',
      'current_meeting_id',
      'created_at',
      'current_started_at',
      'last_meeting_at',
      'labels_shared',
    ],
    kept: 'group',
  },
  { table: 'leaders', columns: ['id', 'group_id', 'name', 'rights', 'accreditation'], kept: 'leader' },
  {
    table: 'leader_links',
    columns: ['token_hash', 'id', 'group_id', 'leader_id', 'label', 'created_at'],
    kept: 'link',
  },
  { table: 'members', columns: ['id', 'group_id', 'name', 'status', 'created_at'], kept: 'member' },
  {
    table: 'member_devices',
    columns: ['token_hash', 'id', 'group_id', 'member_id', 'created_at'],
    kept: 'device',
  },
  { table: 'meeting_seats', columns: ['meeting_id', 'person', 'group_id', 'seat_id'], kept: 'meeting' },
  { table: 'presence_slots', columns: ['meeting_id', 'person', 'slot', 'group_id'], kept: 'meeting' },
  {
    table: 'sessions',
    columns: [
      'id',
      'group_id',
      'started_at',
      'ended_at',
      'planned_minutes',
      'mode',
      'status',
      'double_sessions',
      'leader_names',
    ],
    kept: 'session',
  },
  {
    table: 'attendance',
    columns: ['session_id', 'member_id', 'attended', 'place', 'record'],
    kept: 'session',
  },
  {
    table: 'debriefs',
    columns: ['id', 'group_id', 'meeting_at', 'text', 'version', 'updated_at'],
    kept: 'debrief',
  },
  { table: 'evaluations', columns: ['id', 'group_id', 'closed_at', 'answers', 'counts'], kept: 'group' },
  {
    table: 'case_labels',
    columns: ['id', 'group_id', 'label', 'case_at', 'follow_up', 'presenter_id', 'renewed_at'],
    kept: 'label',
  },
] as const;
