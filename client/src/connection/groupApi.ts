import type {
  CreatedGroup,
  GroupLeaderView,
  GroupMemberView,
  GroupSeat,
  GroupSessionView,
  GroupSettings,
  MemberRecordView,
} from '../../../shared/group/views';
import type { CertificateData } from '../../../shared/group/certificate';
import type {
  CaseLabelsView,
  ConsoleFollowUps,
  KeepLabelRequest,
  RetentionPeriods,
} from '../../../shared/group/followUp';
import { call, type CreatedMeeting } from './api';

/**
 * The group's REST calls (docs/protocol.md, "Groups"). Group tokens ride in the Authorization
 * header, never in a URL; the device keeps them per group (groupTokens below).
 */
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const g = (groupId: string, rest = '') => `/api/groups/${encodeURIComponent(groupId)}${rest}`;

export const groupApi = {
  create: (settings: GroupSettings, leaderName: string, createKey?: string) =>
    call<CreatedGroup>(
      'POST',
      '/api/groups',
      { settings, leaderName },
      createKey ? { 'x-create-key': createKey } : {},
    ),
  resolve: (code: string) =>
    call<{ groupId: string; groupName: string }>('POST', '/api/groups/resolve', { code }),
  join: (code: string, name: string) =>
    call<{ groupId: string; memberId: string; token: string }>('POST', '/api/groups/join', { code, name }),
  leaderView: (groupId: string, token: string) =>
    call<GroupLeaderView>('GET', g(groupId), undefined, auth(token)),
  memberView: (groupId: string, token: string) =>
    call<GroupMemberView>('GET', g(groupId), undefined, auth(token)),
  addLeader: (groupId: string, token: string, name: string) =>
    call<{ leaderId: string; leaderLink: string }>('POST', g(groupId, '/leaders'), { name }, auth(token)),
  addDevice: (groupId: string, token: string, label: string) =>
    call<{ linkId: string; leaderLink: string }>('POST', g(groupId, '/devices'), { label }, auth(token)),
  revokeLink: (groupId: string, token: string, linkId: string) =>
    call('DELETE', g(groupId, `/links/${encodeURIComponent(linkId)}`), undefined, auth(token)),
  revokeLeader: (groupId: string, token: string, leaderId: string) =>
    call('DELETE', g(groupId, `/leaders/${encodeURIComponent(leaderId)}`), undefined, auth(token)),
  setManager: (groupId: string, token: string, leaderId: string, on: boolean) =>
    call('PUT', g(groupId, `/leaders/${encodeURIComponent(leaderId)}/manager`), { on }, auth(token)),
  rotateCode: (groupId: string, token: string) =>
    call<{ memberCode: string; memberLink: string }>(
      'POST',
      g(groupId, '/member-code'),
      undefined,
      auth(token),
    ),
  admit: (groupId: string, token: string, memberId: string) =>
    call('POST', g(groupId, `/members/${encodeURIComponent(memberId)}/admit`), undefined, auth(token)),
  merge: (groupId: string, token: string, requestId: string, into: string) =>
    call('POST', g(groupId, `/members/${encodeURIComponent(requestId)}/merge`), { into }, auth(token)),
  removeMember: (groupId: string, token: string, memberId: string) =>
    call('DELETE', g(groupId, `/members/${encodeURIComponent(memberId)}`), undefined, auth(token)),
  revokeDevices: (groupId: string, token: string, memberId: string) =>
    call('DELETE', g(groupId, `/members/${encodeURIComponent(memberId)}/devices`), undefined, auth(token)),
  signOut: (groupId: string, token: string) => call('DELETE', g(groupId, '/me'), undefined, auth(token)),
  schedule: (groupId: string, token: string, at: number | null) =>
    call('PUT', g(groupId, '/schedule'), { at }, auth(token)),
  startMeeting: (groupId: string, token: string) =>
    call<CreatedMeeting>('POST', g(groupId, '/meetings'), {}, auth(token)),
  sessions: (groupId: string, token: string) =>
    call<{ sessions: GroupSessionView[] }>('GET', g(groupId, '/sessions'), undefined, auth(token)),
  confirmSession: (
    groupId: string,
    token: string,
    sessionId: string,
    body: {
      doubleSessions: number;
      attendance: { memberId: string; attended: boolean; place: 'room' | 'remote' | null }[];
    },
  ) => call('PUT', g(groupId, `/sessions/${encodeURIComponent(sessionId)}`), body, auth(token)),
  deleteSession: (groupId: string, token: string, sessionId: string) =>
    call('DELETE', g(groupId, `/sessions/${encodeURIComponent(sessionId)}`), undefined, auth(token)),
  myRecord: (groupId: string, token: string) =>
    call<MemberRecordView>('GET', g(groupId, '/me/record'), undefined, auth(token)),
  certificate: (groupId: string, token: string, query: string) =>
    call<CertificateData>('GET', g(groupId, `/certificate?${query}`), undefined, auth(token)),
  /** The PDF, fetched with the token in the header and handed to the browser as a file. */
  async certificatePdf(groupId: string, token: string, query: string): Promise<Blob | null> {
    try {
      const res = await fetch(g(groupId, `/certificate.pdf?${query}`), { headers: auth(token) });
      return res.ok ? await res.blob() : null;
    } catch {
      return null;
    }
  },
  setAccreditation: (groupId: string, token: string, text: string) =>
    call('PUT', g(groupId, '/accreditation'), { text }, auth(token)),
  myExport: (groupId: string, token: string) =>
    call<unknown>('GET', g(groupId, '/me/export'), undefined, auth(token)),
  leave: (groupId: string, token: string) => call('DELETE', g(groupId, '/me/entry'), undefined, auth(token)),
  deleteGroup: (groupId: string, token: string) => call('DELETE', g(groupId), undefined, auth(token)),
  enter: (groupId: string, token: string) =>
    call<GroupSeat>('POST', g(groupId, '/enter'), undefined, auth(token)),
  // FOLLOW-4..8: the group's case labels.
  labels: (groupId: string, token: string) =>
    call<CaseLabelsView>('GET', g(groupId, '/labels'), undefined, auth(token)),
  shareLabels: (groupId: string, token: string, on: boolean) =>
    call('PUT', g(groupId, '/labels/shared'), { on }, auth(token)),
  renewLabel: (groupId: string, token: string, labelId: string) =>
    call('POST', g(groupId, `/labels/${encodeURIComponent(labelId)}/renew`), undefined, auth(token)),
  labelDone: (groupId: string, token: string, labelId: string) =>
    call('POST', g(groupId, `/labels/${encodeURIComponent(labelId)}/done`), undefined, auth(token)),
  deleteLabel: (groupId: string, token: string, labelId: string) =>
    call('DELETE', g(groupId, `/labels/${encodeURIComponent(labelId)}`), undefined, auth(token)),
};

/**
 * FOLLOW-1..5: from inside a group's meeting, with the seat's own token: the presenter's yes (or
 * a leader's record of it) and the console's open follow-ups. START-5: the retention in force.
 */
const m = (meetingId: string, rest: string) => `/api/meetings/${encodeURIComponent(meetingId)}${rest}`;
export const followUpApi = {
  keep: (meetingId: string, seatToken: string, body: KeepLabelRequest) =>
    call<{ labelId: string }>('POST', m(meetingId, '/case-labels'), body, auth(seatToken)),
  forConsole: (meetingId: string, seatToken: string) =>
    call<ConsoleFollowUps>('GET', m(meetingId, '/follow-ups'), undefined, auth(seatToken)),
  retention: () => call<RetentionPeriods>('GET', '/api/privacy'),
};

/** A device's group tokens: one per group and kind, kept until signed out or refused. */
export type GroupTokenKind = 'leader' | 'member';
const tokenKey = (kind: GroupTokenKind, groupId: string) => `balint.group-${kind}.${groupId}`;

export function loadGroupToken(kind: GroupTokenKind, groupId: string): string | null {
  try {
    return localStorage.getItem(tokenKey(kind, groupId));
  } catch {
    return null;
  }
}

export function saveGroupToken(kind: GroupTokenKind, groupId: string, token: string): void {
  try {
    localStorage.setItem(tokenKey(kind, groupId), token);
  } catch {
    // Storage refused: the token lasts for this page only.
  }
}

export function forgetGroupToken(kind: GroupTokenKind, groupId: string): void {
  try {
    localStorage.removeItem(tokenKey(kind, groupId));
  } catch {
    // Nothing was kept.
  }
}
