import { useState } from 'react';
import { buildIcs } from '../../../../shared/group/ics';
import type { GroupLeaderView } from '../../../../shared/group/views';
import { groupApi } from '../../connection/groupApi';
import { formatDateTime } from '../../meeting/format';
import { useLanguage, useT } from '../../i18n';
import type { GroupAction } from './groupAction';

/** `datetime-local` speaks local wall time without a zone; these two convert it. */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): number | null {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function downloadIcs(view: GroupLeaderView, at: number): void {
  const minutes = view.settings.plan.phases.reduce((sum, p) => sum + p.minutes, 0);
  const text = buildIcs({
    uid: `${view.groupId}-${at}@balint-room`,
    title: view.settings.name,
    startsAt: at,
    minutes,
    url: view.memberLink,
    now: Date.now(),
  });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'balint-group.ics';
  a.click();
  URL.revokeObjectURL(url);
}

/** GROUP-10: schedule the next meeting (with an .ics file), start it, or open the live one. */
export function NextMeetingPanel({
  view,
  act,
  onStart,
  onOpen,
}: {
  view: GroupLeaderView;
  act: GroupAction;
  onStart: () => void;
  onOpen: () => void;
}) {
  const t = useT();
  const lang = useLanguage();
  const [when, setWhen] = useState(() => (view.nextAt ? toLocalInput(view.nextAt) : ''));
  return (
    <section className="panel" aria-labelledby="next-title">
      <h2 id="next-title">{t('group.next.title')}</h2>
      {view.currentMeetingId ? (
        <p className="row">
          <span className="notice">{t('group.member.live')}</span>
          <button type="button" className="button-primary" onClick={onOpen}>
            {t('group.next.open')}
          </button>
        </p>
      ) : (
        <>
          <p>
            {view.nextAt !== null
              ? t('group.member.next', { when: formatDateTime(view.nextAt, lang) })
              : t('group.member.none')}
          </p>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act((token) => groupApi.schedule(view.groupId, token, fromLocalInput(when)));
            }}
          >
            <label className="field">
              <span>{t('group.next.when')}</span>
              <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
            </label>
            <button type="submit" className="button">
              {t('group.next.save')}
            </button>
            {view.nextAt !== null && (
              <button
                type="button"
                className="button button-quiet"
                onClick={() => downloadIcs(view, view.nextAt as number)}
              >
                {t('group.next.ics')}
              </button>
            )}
          </form>
          <p>
            <button type="button" className="button-primary" onClick={onStart}>
              {t('group.next.start')}
            </button>
          </p>
        </>
      )}
    </section>
  );
}
