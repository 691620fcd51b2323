import { useCallback, useState } from 'react';
import { countedDoubleSessions, MAX_DOUBLE_SESSIONS, type Place } from '../../../../shared/group/attendance';
import type { GroupLeaderView, GroupSessionView } from '../../../../shared/group/views';
import { groupApi } from '../../connection/groupApi';
import { formatDateTime } from '../../meeting/format';
import { useLanguage, useT, type Translate } from '../../i18n';
import type { GroupAction } from './groupAction';
import { usePolled } from './usePolled';

/** The register as CSV, made in the browser from what the leader sees (no endpoint of its own). */
function registerCsv(sessions: readonly GroupSessionView[], t: Translate, lang: string): string {
  const cell = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
  const rows = [
    [
      t('group.att.date'),
      t('group.att.member'),
      t('group.att.attended'),
      t('group.att.place'),
      t('group.att.counted'),
    ],
  ];
  for (const s of sessions.filter((x) => x.status === 'confirmed'))
    for (const a of s.attendance)
      rows.push([
        formatDateTime(s.startedAt, lang),
        a.name,
        a.attended ? t('group.att.yes') : t('group.att.no'),
        a.place ? t(`group.att.place.${a.place}`) : '',
        String(a.attended ? countedDoubleSessions(s.doubleSessions, s.mode, a.place) : 0),
      ]);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** ATT-4: the sessions of the group; a proposal is corrected and confirmed here. */
export function AttendancePanel({
  view,
  token,
  act,
}: {
  view: GroupLeaderView;
  token: string;
  act: GroupAction;
}) {
  const t = useT();
  const lang = useLanguage();
  const load = useCallback(() => groupApi.sessions(view.groupId, token), [view.groupId, token]);
  const { result, reload } = usePolled(load);
  const sessions = result?.ok ? result.value.sessions : [];
  const after = async (done: boolean) => {
    await reload();
    return done;
  };
  return (
    <section className="panel" aria-labelledby="att-title">
      <h2 id="att-title">{t('group.att.title')}</h2>
      {sessions.length === 0 && <p className="hint">{t('group.att.none')}</p>}
      {sessions.map((s) =>
        s.status === 'proposed' ? (
          <Proposal
            key={s.id}
            session={s}
            onConfirm={(body) =>
              act((tk) => groupApi.confirmSession(view.groupId, tk, s.id, body)).then(after)
            }
            onDelete={() => act((tk) => groupApi.deleteSession(view.groupId, tk, s.id)).then(after)}
          />
        ) : (
          <div key={s.id} className="session" data-testid="session-confirmed">
            <h3>
              {formatDateTime(s.startedAt, lang)} · {t(`group.mode.${s.mode}`)} ·{' '}
              {t('group.att.doubles', { n: s.doubleSessions })}
            </h3>
            <p className="hint">
              {t('group.att.present', {
                n: s.attendance.filter((a) => a.attended).length,
                of: s.attendance.length,
              })}
              {s.leaderNames.length > 0 && ` · ${t('group.att.ledBy', { names: s.leaderNames.join(', ') })}`}
            </p>
          </div>
        ),
      )}
      {sessions.some((s) => s.status === 'confirmed') && (
        <p>
          <button
            type="button"
            className="button"
            onClick={() => download(registerCsv(sessions, t, lang), 'register.csv', 'text/csv')}
          >
            {t('group.att.register')}
          </button>
        </p>
      )}
    </section>
  );
}

function Proposal({
  session,
  onConfirm,
  onDelete,
}: {
  session: GroupSessionView;
  onConfirm: (body: {
    doubleSessions: number;
    attendance: { memberId: string; attended: boolean; place: Place | null }[];
  }) => Promise<boolean>;
  onDelete: () => Promise<boolean>;
}) {
  const t = useT();
  const lang = useLanguage();
  const [lines, setLines] = useState(session.attendance);
  const [doubles, setDoubles] = useState(session.doubleSessions);
  const set = (memberId: string, change: Partial<(typeof lines)[number]>) =>
    setLines((all) => all.map((l) => (l.memberId === memberId ? { ...l, ...change } : l)));
  const minutes = Math.round((session.endedAt - session.startedAt) / 60_000);
  return (
    <form
      className="session"
      data-testid="session-proposed"
      onSubmit={(e) => {
        e.preventDefault();
        void onConfirm({
          doubleSessions: doubles,
          attendance: lines.map(({ memberId, attended, place }) => ({ memberId, attended, place })),
        });
      }}
    >
      <h3>
        {t('group.att.proposed', { when: formatDateTime(session.startedAt, lang) })} ·{' '}
        {t(`group.mode.${session.mode}`)}
      </h3>
      <p className="hint">{t('group.att.measured', { minutes, planned: session.plannedMinutes })}</p>
      {session.mode === 'online' && minutes > 90 && (
        <p className="notice" role="status">
          {t('group.att.onlineLong')}
        </p>
      )}
      <ul className="plain-list">
        {lines.map((l) => (
          <li key={l.memberId} className="row">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={l.attended}
                onChange={(e) => set(l.memberId, { attended: e.target.checked })}
              />
              <span>{l.name}</span>
            </label>
            {session.mode === 'hybrid' && l.attended && (
              <select
                aria-label={t('group.att.placeOf', { name: l.name })}
                value={l.place ?? ''}
                onChange={(e) => set(l.memberId, { place: (e.target.value || null) as Place | null })}
              >
                <option value="">{t('group.att.placePick')}</option>
                <option value="room">{t('group.att.place.room')}</option>
                <option value="remote">{t('group.att.place.remote')}</option>
              </select>
            )}
          </li>
        ))}
      </ul>
      <label className="field">
        <span>{t('group.att.doublesLabel')}</span>
        <input
          type="number"
          min={0}
          max={session.mode === 'online' ? 1 : MAX_DOUBLE_SESSIONS}
          value={doubles}
          onChange={(e) => setDoubles(Number(e.target.value))}
        />
      </label>
      <p className="row">
        <button type="submit" className="button-primary">
          {t('group.att.confirm')}
        </button>
        <button type="button" className="button-quiet" onClick={() => void onDelete()}>
          {t('group.att.delete')}
        </button>
      </p>
    </form>
  );
}
