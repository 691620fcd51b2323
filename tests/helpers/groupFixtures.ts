/**
 * Groups over the real REST API: create one, ask to join with the member code, admit, start and
 * enter meetings. Tokens go in the Authorization header as a client sends them.
 */
import { expect } from 'vitest';
import type { CreatedGroup, GroupSeat } from '../../shared/group/views';
import { fragmentParam, type Api, type HttpAnswer } from './server-fixture';

export const GROUP_PLAN = {
  name: 'Weekly',
  phases: [
    { kind: 'opening', minutes: 5, caseIndex: null },
    { kind: 'presentation', minutes: 15, caseIndex: 0 },
    { kind: 'speculation', minutes: 50, caseIndex: 0 },
    { kind: 'closing', minutes: 20, caseIndex: null },
  ],
};

export function groupSettings(name = 'Thursday group') {
  return { name, language: 'en', mode: 'hybrid', anonymity: 'anonymous', plan: GROUP_PLAN } as const;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface TestGroup extends CreatedGroup {
  leaderToken: string;
}

export async function createGroup(api: Api, name?: string, headers: Record<string, string> = {}) {
  const res = await api.request<CreatedGroup>(
    'POST',
    '/api/groups',
    { settings: groupSettings(name), leaderName: 'Lena Leitner-Quast' },
    headers,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...res.body, leaderToken: fragmentParam(res.body.leaderLink, 't') } satisfies TestGroup;
}

/** Asks to join with the member code and the leader admits: the member's device token. */
export async function joinAndAdmit(api: Api, group: TestGroup, name: string): Promise<string> {
  const asked = await api.request<{ memberId: string; token: string }>('POST', '/api/groups/join', {
    code: group.memberCode,
    name,
  });
  expect(asked.status).toBe(201);
  const admitted = await api.request(
    'POST',
    `/api/groups/${group.groupId}/members/${asked.body.memberId}/admit`,
    undefined,
    bearer(group.leaderToken),
  );
  expect(admitted.status).toBe(200);
  return asked.body.token;
}

export async function startGroupMeeting(api: Api, group: TestGroup) {
  const res = await api.request<{ meetingId: string; leaderLink: string; joinCode: string }>(
    'POST',
    `/api/groups/${group.groupId}/meetings`,
    {},
    bearer(group.leaderToken),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...res.body, leaderToken: fragmentParam(res.body.leaderLink, 't') };
}

export function enter(api: Api, groupId: string, token: string): Promise<HttpAnswer<GroupSeat>> {
  return api.request<GroupSeat>('POST', `/api/groups/${groupId}/enter`, undefined, bearer(token));
}
