import { useEffect, useRef } from 'react';
import type { MeetingView } from '../../../shared/meeting/view';
import { timeLeftMs } from '../components/Countdown';
import { useServerNow } from '../connection';
import { useT } from '../i18n';
import { currentPhase } from '../meeting/viewRules';
import { announce } from './announcer';

/** The gentle warning comes this long before a phase's end. */
export const WARNING_MS = 2 * 60_000;

/**
 * True from two minutes before the running phase's end until its end (not while paused, not in
 * phases planned no longer than the warning itself). The first moment of each warning is announced to
 * screen readers and handed to `onWarn` (the leader's optional chime); a page opened or reloaded
 * inside the last two minutes shows the warning without announcing it again.
 */
export function useTimeWarning(view: MeetingView, onWarn?: () => void): boolean {
  const t = useT();
  const now = useServerNow();
  const timer = view.status === 'running' ? view.timer : undefined;
  const phase = currentPhase(view);
  let warning = false;
  if (timer?.state === 'running' && timer.endsAt !== null && (phase?.plannedMs ?? 0) > WARNING_MS) {
    const left = timeLeftMs(timer, now);
    warning = left > 0 && left <= WARNING_MS;
  }
  const phaseKey = phase?.id ?? '';
  const left = timer ? timeLeftMs(timer, now) : null;
  const warnedFor = useRef<string | null | undefined>(undefined);
  const onWarnRef = useRef(onWarn);
  useEffect(() => {
    onWarnRef.current = onWarn;
  });
  useEffect(() => {
    if (warnedFor.current === undefined) {
      // The first render: a warning already under way is shown, not announced.
      warnedFor.current = warning ? phaseKey : null;
      return;
    }
    if (warning) {
      if (warnedFor.current === phaseKey) return;
      warnedFor.current = phaseKey;
      announce(t('live.twoMinutes', { phase: phase ? t(`phase.${phase.kind}`) : '' }), 'time');
      onWarnRef.current?.();
    } else if (warnedFor.current !== null) {
      // Another phase, or this one extended past the warning: the next approach warns again.
      // (Paused or in overtime, the same warning stands.)
      if (warnedFor.current !== phaseKey || (left !== null && left > WARNING_MS)) warnedFor.current = null;
    }
  }, [warning, phaseKey, phase, t, left]);
  return warning;
}
