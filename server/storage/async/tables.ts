/** The meetings' tables as Kysely sees them (the schema itself: ../schema.ts). */
import type { Generated } from 'kysely';
import type { NoteDbRow } from '../rows';

interface MeetingsTable {
  id: string;
  /** SQLite: the code; PostgreSQL: its HMAC under the join-code key (content.ts). */
  join_code: string;
  /** PostgreSQL: the code sealed under the meeting's key; SQLite: null. */
  join_code_sealed: string | null;
  state: string;
  status: Generated<string>;
  leader_token_hash: string;
  projector_key_hash: string;
  last_activity_at: number;
  /** Counts up with every stored state (SCALE-16). */
  version: Generated<number>;
}

interface CommandsTable {
  meeting_id: string;
  seat_id: string;
  command_id: string;
}

interface SeatTokensTable {
  token_hash: string;
  meeting_id: string;
  seat_id: string;
}

interface BoardUpdatesTable {
  seq: Generated<number>;
  meeting_id: string;
  case_index: number;
  update_data: Uint8Array;
}

interface DueTimesTable {
  meeting_id: string;
  kind: string;
  due_at: number;
}

export interface MeetingsDb {
  meetings: MeetingsTable;
  commands: CommandsTable;
  seat_tokens: SeatTokensTable;
  notes: NoteDbRow;
  board_updates: BoardUpdatesTable;
  due_times: DueTimesTable;
}
