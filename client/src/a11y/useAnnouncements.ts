import { useEffect, useRef } from 'react';
import type { MeetingView } from '../../../shared/meeting/view';
import type { BoardSnapshot } from '../connection';
import { useT, type Translate } from '../i18n';
import { caseLabelNumber, currentPhase } from '../meeting/viewRules';
import { announce } from './announcer';

function phaseWords(view: MeetingView, t: Translate): string {
  if (view.status === 'ended') return t('live.ended');
  const phase = currentPhase(view);
  if (!phase) return t('phase.lobby');
  const name = t(`phase.${phase.kind}`);
  const caseNo = view.cases.length > 1 ? caseLabelNumber(phase) : null;
  return caseNo === null
    ? t('live.phase', { phase: name })
    : t('live.phaseInCase', { phase: name, n: caseNo });
}

/** Announces a new phase (or the end) when it comes, not on the first render of a page. */
export function usePhaseAnnouncement(view: MeetingView | null): void {
  const t = useT();
  // Phase ids are stable when phases are added or removed around the current one.
  const key = view ? `${view.status}:${currentPhase(view)?.id ?? ''}` : null;
  const previous = useRef<string | null>(null);
  const words = view ? phaseWords(view, t) : '';
  useEffect(() => {
    if (key === null) return;
    const before = previous.current;
    previous.current = key;
    if (before !== null && before !== key) announce(words, 'phase');
    // Only a change of phase speaks: a language switch changes `words` and must stay silent.
  }, [key]);
}

/** Announces notes arriving on the board (after its first sync), grouped: "3 new notes". */
export function useNewNotesAnnouncement(board: BoardSnapshot): void {
  const t = useT();
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!board.synced) {
      known.current = null;
      return;
    }
    const ids = new Set(board.notes.map((n) => n.id));
    const before = known.current;
    known.current = ids;
    if (!before) return;
    let fresh = 0;
    for (const id of ids) if (!before.has(id)) fresh += 1;
    if (fresh > 0) announce(fresh === 1 ? t('live.newNote') : t('live.newNotes', { n: fresh }), 'notes');
  }, [board, t]);
}
