import { useEffect, useRef, useState } from 'react';
import { useT } from '../../i18n';

/**
 * A setting's switch that answers the tap at once: it shows the asked-for position with a
 * "Saving…" note until the server answers, and ignores further taps meanwhile (on a busy network
 * a second tap used to turn the setting back). A refusal returns it to the server's value.
 */
export function PendingSwitch({
  label,
  on,
  set,
}: {
  label: string;
  on: boolean;
  set: (on: boolean) => Promise<boolean>;
}) {
  const t = useT();
  const [asked, setAsked] = useState<boolean | null>(null);
  // The ack can come before the new snapshot: stay pending until the view shows the answer.
  // (`shownAtAck` is the server's value when the ack came; a change of it ends the wait.)
  const [shownAtAck, setShownAtAck] = useState<boolean | null>(null);
  const latest = useRef(on);
  latest.current = on;
  useEffect(() => {
    if (shownAtAck !== null && on !== shownAtAck) {
      setAsked(null);
      setShownAtAck(null);
    }
  }, [on, shownAtAck]);
  const pending = asked !== null;
  return (
    <label className={`switch${pending ? ' is-pending' : ''}`}>
      <input
        type="checkbox"
        role="switch"
        checked={asked ?? on}
        aria-busy={pending}
        aria-disabled={pending}
        onChange={(e) => {
          if (pending) return;
          const want = e.target.checked;
          setAsked(want);
          void set(want).then((ok) => {
            if (!ok || latest.current === want) setAsked(null);
            else setShownAtAck(latest.current);
          });
        }}
      />
      <span>{label}</span>
      {pending && (
        <span className="switch-pending" role="status">
          {t('common.saving')}
        </span>
      )}
    </label>
  );
}
