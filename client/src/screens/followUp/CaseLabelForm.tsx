import { useState, type ReactNode } from 'react';
import { CASE_LABEL_MAX, LABEL_RETENTION_MONTHS } from '../../../../shared/group/followUp';
import type { ApiResult } from '../../connection/api';
import { useT } from '../../i18n';
import { noteNudges } from '../../meeting/nudges';

/**
 * FOLLOW-2: the few words of a case label, nudged against patient data as notes are, with whether
 * the group wants a follow-up. Used on the presenter's device and, for a presenter without one,
 * in the leaders' console (`extra` then names who presented).
 */
export function CaseLabelForm({
  initial = '',
  submitLabel,
  extra,
  ready = true,
  onKeep,
  testId,
}: {
  initial?: string;
  submitLabel: string;
  extra?: ReactNode;
  ready?: boolean;
  onKeep: (label: string, followUp: boolean) => Promise<ApiResult<unknown>>;
  testId: string;
}) {
  const t = useT();
  const [label, setLabel] = useState(initial);
  const [followUp, setFollowUp] = useState(true);
  const [busy, setBusy] = useState(false);
  const [kept, setKept] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nudges = noteNudges(label);
  if (kept)
    return (
      <p className="notice" role="status" data-testid={`${testId}-kept`}>
        {t('followUp.kept')}
      </p>
    );
  return (
    <form
      data-testid={testId}
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        void onKeep(label.trim(), followUp).then((r) => {
          setBusy(false);
          if (r.ok) setKept(true);
          else setError(t(`error.${r.code}`));
        });
      }}
    >
      <p className="hint">{t('followUp.keepHint', { months: LABEL_RETENTION_MONTHS })}</p>
      {extra}
      <label>
        {t('followUp.label')}
        <input
          value={label}
          maxLength={CASE_LABEL_MAX}
          required
          data-testid={`${testId}-label`}
          onChange={(e) => setLabel(e.target.value)}
        />
      </label>
      {nudges.map((n) => (
        <p key={n} className="nudge" role="status">
          {t(`seat.nudge.${n}`)}
        </p>
      ))}
      <label className="check">
        <input type="checkbox" checked={followUp} onChange={(e) => setFollowUp(e.target.checked)} />
        {t('followUp.wanted')}
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !ready || label.trim() === ''}>
        {submitLabel}
      </button>
    </form>
  );
}
