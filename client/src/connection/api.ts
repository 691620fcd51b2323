import type { MeetingFormat } from '../../../shared/spoken/state';
import type { ErrorCode } from '../../../shared/errors';
import type { Template, TemplatePhase } from '../../../shared/meeting/templates';
import type { AnonymityMode, ReleaseMode, TimerVisibility } from '../../../shared/meeting/state';

/** What a REST call can fail with: a server error code, or no answer at all. */
export type ApiErrorCode = ErrorCode | 'network' | 'unknown';
export type ApiResult<T> = { ok: true; value: T } | { ok: false; code: ApiErrorCode };

export interface CreateMeetingRequest {
  title?: string;
  /** How the leader appears in the presence list. */
  leaderName?: string;
  templateId?: string;
  /** A leader's own plan saved on their device, instead of `templateId`. */
  template?: { name: string; phases: TemplatePhase[] };
  anonymity?: AnonymityMode;
  timerVisibility?: TimerVisibility;
  release?: ReleaseMode;
  /** In the room, online or hybrid (FORMAT-1). */
  format?: MeetingFormat;
}

export interface CreatedMeeting {
  meetingId: string;
  joinCode: string;
  leaderLink: string;
  joinLink: string;
  projectorLink: string;
  /** Where phones in the room can open the join link (absent when this page's origin is it). */
  phoneOrigins?: string[];
}

export interface JoinedSeat {
  meetingId: string;
  seatId: string;
  token: string;
}

export async function call<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    return { ok: false, code: 'network' };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // Not JSON: judged by the status alone below.
  }
  if (res.ok) return { ok: true, value: json as T };
  const code = (json as { error?: { code?: unknown } } | null)?.error?.code;
  return { ok: false, code: typeof code === 'string' ? (code as ErrorCode) : 'unknown' };
}

export const api = {
  templates: () => call<{ templates: Template[]; defaultTemplateId?: string }>('GET', '/api/templates'),
  /** `createKey`: only for servers that ask for one (CREATE_KEY), sent as a header. */
  createMeeting: (req: CreateMeetingRequest, createKey?: string) =>
    call<CreatedMeeting>('POST', '/api/meetings', req, createKey ? { 'x-create-key': createKey } : {}),
  join: (code: string, name: string, as: 'participant' | 'observer') =>
    call<JoinedSeat>('POST', '/api/join', { code, name, as }),
  claimProjector: (meetingId: string, key: string) =>
    call<{ seatId: string; token: string }>(
      'POST',
      `/api/meetings/${encodeURIComponent(meetingId)}/projector`,
      {
        key,
      },
    ),
};
