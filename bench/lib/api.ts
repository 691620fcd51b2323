/** Prepares a meeting through the public REST API and the leader's own connection. */
import type { MeetingView } from '../../shared/meeting/view';
import { connectSeat, sendCommand, withTimeout } from './clients';
import type { PreparedMeeting, SeatCreds } from './types';

const REQUEST_TIMEOUT_MS = 10_000;

async function post<T>(url: string, body: unknown, forwardedFor?: string): Promise<T> {
  const res = await withTimeout(
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }),
    REQUEST_TIMEOUT_MS,
    `POST ${new URL(url).pathname}`,
  );
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname}: ${res.status} ${json.error?.code ?? ''}`);
  return json;
}

/** The two board-visible phases of a case: speculation (notes allowed) and the return after it. */
export function notePhases(view: Pick<MeetingView, 'phases'>): {
  caseIndex: number;
  notePhaseId: string;
  otherPhaseId: string;
} {
  const speculation = view.phases.findIndex((p) => p.kind === 'speculation');
  const note = view.phases[speculation];
  const other = view.phases[speculation + 1];
  if (!note || !other) throw new Error('the template has no speculation phase followed by another');
  return { caseIndex: note.caseIndex ?? 0, notePhaseId: note.id, otherPhaseId: other.id };
}

/**
 * A 12-seat meeting (leader + 11 participants) in named mode, so that notes appear at once,
 * started and moved to the speculation phase. With `forwardedFor` (to a server whose TRUST_PROXY
 * trusts the benchmark's address) its requests count against that client address's limits, as
 * a balancer's forwarded clients do; `timerVisibility: 'everyone'` lets every seat see a phase
 * restart (the capacity load needs it).
 */
export async function prepareMeetingViaRest(
  baseUrl: string,
  seats: number,
  opts: { forwardedFor?: string; timerVisibility?: 'everyone' } = {},
): Promise<PreparedMeeting> {
  const created = await post<{ meetingId: string; joinCode: string; leaderLink: string }>(
    `${baseUrl}/api/meetings`,
    {
      title: 'Benchmark',
      anonymity: 'named',
      leaderName: 'Leader',
      ...(opts.timerVisibility ? { timerVisibility: opts.timerVisibility } : {}),
    },
    opts.forwardedFor,
  );
  const leaderToken = new URLSearchParams(new URL(created.leaderLink).hash.slice(1)).get('t');
  if (!leaderToken) throw new Error('the leader link carries no token');
  const creds: SeatCreds[] = [{ token: leaderToken, role: 'leader' }];
  for (let i = 1; i < seats; i++) {
    const joined = await post<{ token: string }>(
      `${baseUrl}/api/join`,
      { code: created.joinCode, name: `Member ${i}` },
      opts.forwardedFor,
    );
    creds.push({ token: joined.token, role: 'participant' });
  }
  const { socket, view } = await connectSeat(baseUrl, leaderToken);
  try {
    const phases = notePhases(view);
    for (const command of [
      { type: 'meeting:start' } as const,
      { type: 'phase:jump', phaseId: phases.notePhaseId } as const,
    ]) {
      const result = await sendCommand(socket, command);
      if (!result.ok) throw new Error(`${command.type}: ${result.error.code}`);
    }
    return { meetingId: created.meetingId, ...phases, seats: creds };
  } finally {
    socket.close();
  }
}
