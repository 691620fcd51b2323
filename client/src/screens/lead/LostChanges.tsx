import type { BoardChange } from '../../connection/leaderBoard';
import { useT, type Translate } from '../../i18n';

/** WIRE-4: tells the leader which board change the server refused (the board was reloaded). */
export function LostChanges({ lost, onDismiss }: { lost: readonly BoardChange[]; onDismiss: () => void }) {
  const t = useT();
  const last = lost[lost.length - 1];
  if (!last) return null;
  const what = describe(t, last);
  return (
    <div className="error-row" role="alert" data-testid="board-change-lost">
      <p className="error">
        {lost.length === 1 ? t('lead.changeLost', { what }) : t('lead.changesLost', { n: lost.length, what })}
      </p>
      <button type="button" className="button-small button-quiet" onClick={onDismiss}>
        {t('common.close')}
      </button>
    </div>
  );
}

function describe(t: Translate, c: BoardChange): string {
  switch (c.kind) {
    case 'theme':
      return t('lead.lost.theme', { name: c.name });
    case 'deleteTheme':
      return t('lead.lost.deleteTheme', { name: c.name });
    case 'layout':
      if (c.change.theme !== undefined) return t('lead.lost.place');
      if (c.change.highlight !== undefined) return t('lead.lost.highlight');
      return t('lead.lost.move');
  }
}
