import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../server/core/clock';
import type { CertificateData } from '../../shared/group/certificate';
import type { GroupLeaderView, GroupSessionView } from '../../shared/group/views';
import { tempFolder } from '../helpers/confidential';
import {
  bearer,
  createGroup,
  enter,
  joinAndAdmit,
  startGroupMeeting,
  type TestGroup,
} from '../helpers/groupFixtures';
import { nextEvent, startServer, type ServerFixture } from '../helpers/server-fixture';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'artifacts', 'screenshots');

/** One confirmed 90-minute session that Alma attended, in the room. */
async function confirmedSession(fx: ServerFixture, group: TestGroup, alma: string) {
  const clock = fx.clock as ManualClock;
  const meeting = await startGroupMeeting(fx.api, group);
  const leader = await fx.connect(meeting.leaderToken, 'leader');
  await fx.connect((await enter(fx.api, group.groupId, alma)).body.token, 'alma');
  await leader.command({ type: 'meeting:start' });
  clock.advance(90 * 60_000);
  const gone = nextEvent(leader.socket, 'meeting:ended');
  await leader.command({ type: 'meeting:end' });
  await gone;
  const url = `/api/groups/${group.groupId}`;
  const auth = bearer(group.leaderToken);
  const sessions = await fx.api.request<{ sessions: GroupSessionView[] }>(
    'GET',
    `${url}/sessions`,
    undefined,
    auth,
  );
  const session = sessions.body.sessions[0];
  const lines = (session?.attendance ?? []).map((a) => ({
    ...a,
    place: a.attended ? ('room' as const) : null,
  }));
  const confirmed = await fx.api.request(
    'PUT',
    `${url}/sessions/${session?.id}`,
    {
      doubleSessions: 1,
      attendance: lines.map(({ memberId, attended, place }) => ({ memberId, attended, place })),
    },
    auth,
  );
  expect(confirmed.status).toBe(200);
}

async function pdf(fx: ServerFixture, route: string, token: string): Promise<Buffer> {
  const res = await fetch(`${fx.url}${route}`, { headers: bearer(token) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  return Buffer.from(await res.arrayBuffer());
}

describe('certificates (CERT-1..3)', () => {
  it('CERT-1/2: a member gets their own certificate, a leader anyone’s, with the accreditation line', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api, 'Thursday group');
    const url = `/api/groups/${group.groupId}`;
    const alma = await joinAndAdmit(fx.api, group, 'Alma Zyborski');
    const bert = await joinAndAdmit(fx.api, group, 'Bert Okonkwo-Ray');
    expect(
      (
        await fx.api.request(
          'PUT',
          `${url}/accreditation`,
          { text: 'Balint-Gesellschaft, anerkannt' },
          bearer(group.leaderToken),
        )
      ).status,
    ).toBe(200);
    await confirmedSession(fx, group, alma);
    const cert = await fx.api.request<CertificateData>(
      'GET',
      `${url}/certificate?tz=Europe/Berlin&place=Berlin`,
      undefined,
      bearer(alma),
    );
    expect(cert.status).toBe(200);
    expect(cert.body).toMatchObject({
      memberName: 'Alma Zyborski',
      groupName: 'Thursday group',
      place: 'Berlin',
      timeZone: 'Europe/Berlin',
      totals: { doubleSessions: 1, inPerson: 1, germanUnits: 2, hours: 1.5 },
      leaders: [{ name: 'Lena Leitner-Quast', accreditation: 'Balint-Gesellschaft, anerkannt' }],
    });
    expect(cert.body.sessions).toHaveLength(1);
    const view = await fx.api.request<GroupLeaderView>('GET', url, undefined, bearer(group.leaderToken));
    const almaId = view.body.members.find((m) => m.name === 'Alma Zyborski')?.id;
    // Bert may not ask for Alma's; a leader may.
    expect(
      (await fx.api.request('GET', `${url}/certificate?member=${almaId}`, undefined, bearer(bert))).status,
    ).toBe(403);
    const byLeader = await fx.api.request<CertificateData>(
      'GET',
      `${url}/certificate?member=${almaId}`,
      undefined,
      bearer(group.leaderToken),
    );
    expect(byLeader.body.memberName).toBe('Alma Zyborski');
    // Bert attended nothing: his certificate lists no session.
    const berts = await fx.api.request<CertificateData>('GET', `${url}/certificate`, undefined, bearer(bert));
    expect(berts.body.sessions).toEqual([]);
    expect((await fx.api.request('GET', `${url}/certificate?from=abc`, undefined, bearer(alma))).status).toBe(
      400,
    );
  });

  it('CERT-3: the PDF in Greek, German and English carries its text in a font with Greek (pdftotext, pdftoppm)', async () => {
    const fx = await startServer();
    const group = await createGroup(fx.api, 'Ομάδα Πέμπτης');
    const alma = await joinAndAdmit(fx.api, group, 'Αλίκη Ζαχαρίου');
    await fx.api.request(
      'PUT',
      `/api/groups/${group.groupId}/accreditation`,
      { text: 'Ελληνική Εταιρεία Balint' },
      bearer(group.leaderToken),
    );
    await confirmedSession(fx, group, alma);
    const dir = tempFolder();
    for (const lang of ['el', 'de', 'en'] as const) {
      const file = path.join(dir, `certificate-${lang}.pdf`);
      writeFileSync(
        file,
        await pdf(
          fx,
          `/api/groups/${group.groupId}/certificate.pdf?lang=${lang}&place=Αθήνα&tz=Europe/Athens`,
          alma,
        ),
      );
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      expect(text).toContain('Αλίκη Ζαχαρίου');
      expect(text).toContain('Ομάδα Πέμπτης');
      expect(text).toContain('Ελληνική Εταιρεία Balint');
      const expected = {
        el: 'Βεβαίωση συμμετοχής',
        de: 'Teilnahmebescheinigung',
        en: 'Certificate of attendance',
      }[lang];
      expect(text).toContain(expected);
      if (lang === 'de') expect(text).toContain('2 Stunden Balintgruppenarbeit');
      // The folder is made by whichever test writes first (a fresh checkout has none).
      mkdirSync(SCREENSHOTS, { recursive: true });
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '60',
        '-singlefile',
        file,
        path.join(SCREENSHOTS, `certificate-pdf-${lang}`),
      ]);
    }
  });
});
