import { useCallback, useState } from 'react';
import { EVALUATION_ITEMS, SCALE, type EvaluationItem } from '../../../../shared/group/evaluation';
import { call } from '../../connection/api';
import { formatDateTime, formatTimeOfDay } from '../../meeting/format';
import { useLanguage, useT } from '../../i18n';
import type { GroupPanelProps } from './groupAction';
import { usePolled } from './usePolled';

interface EvaluationView {
  open: { items: EvaluationItem[]; closesAt: number; answered: boolean } | null;
  results: { closedAt: number; answers: number; counts: Partial<Record<EvaluationItem, number[]>> }[];
}

const base = (groupId: string) => `/api/groups/${encodeURIComponent(groupId)}/evaluation`;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** EVAL-n: leaders offer and close the evaluation; members answer once; results after the close. */
export function EvaluationPanel({ groupId, token, leader }: GroupPanelProps) {
  const t = useT();
  const lang = useLanguage();
  const load = useCallback(
    () => call<EvaluationView>('GET', base(groupId), undefined, auth(token)),
    [groupId, token],
  );
  const { result, reload } = usePolled(load);
  const [items, setItems] = useState<EvaluationItem[]>([...EVALUATION_ITEMS]);
  const [answers, setAnswers] = useState<Partial<Record<EvaluationItem, number>>>({});
  const view = result?.ok ? result.value : null;
  if (!view || (!leader && !view.open && view.results.length === 0)) return null;
  const post = async (path: string, body?: unknown) => {
    await call('POST', `${base(groupId)}${path}`, body, auth(token));
    await reload();
  };
  return (
    <section className="panel" aria-labelledby="eval-title" data-testid="evaluation">
      <h2 id="eval-title">{t('group.eval.title')}</h2>
      {view.open ? (
        <>
          <p className="hint">
            {t('group.eval.openUntil', { when: formatTimeOfDay(view.open.closesAt, lang) })}
          </p>
          {leader ? (
            <button type="button" className="button" onClick={() => void post('/close')}>
              {t('group.eval.close')}
            </button>
          ) : view.open.answered ? (
            <p role="status">{t('group.eval.thanks')}</p>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void post('/answer', { answers });
              }}
            >
              <p className="hint">{t('group.eval.scale')}</p>
              {view.open.items.map((item) => (
                <fieldset key={item} className="choice eval-scale">
                  <legend>{t(`group.eval.item.${item}`)}</legend>
                  {SCALE.map((v) => (
                    <label key={v} className="radio">
                      <input
                        type="radio"
                        name={item}
                        checked={answers[item] === v}
                        onChange={() => setAnswers((a) => ({ ...a, [item]: v }))}
                      />
                      <span>{v}</span>
                    </label>
                  ))}
                </fieldset>
              ))}
              <button type="submit" className="button-primary" disabled={Object.keys(answers).length === 0}>
                {t('group.eval.send')}
              </button>
            </form>
          )}
        </>
      ) : (
        leader && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post('', { items });
            }}
          >
            <p className="hint">{t('group.eval.offerHint')}</p>
            {EVALUATION_ITEMS.map((item) => (
              <label key={item} className="checkbox">
                <input
                  type="checkbox"
                  checked={items.includes(item)}
                  onChange={(e) =>
                    setItems((all) => (e.target.checked ? [...all, item] : all.filter((i) => i !== item)))
                  }
                />
                <span>{t(`group.eval.item.${item}`)}</span>
              </label>
            ))}
            <button type="submit" className="button" disabled={items.length === 0}>
              {t('group.eval.offer')}
            </button>
          </form>
        )
      )}
      {view.results.length > 0 && (
        <>
          <h3>{t('group.eval.results')}</h3>
          {view.results.map((r) => (
            <div key={r.closedAt} className="session">
              <p className="hint">
                {formatDateTime(r.closedAt, lang)} · {t('group.eval.answers', { n: r.answers })}
              </p>
              <table className="eval-table">
                <tbody>
                  {Object.entries(r.counts).map(([item, counts]) => (
                    <tr key={item}>
                      <th scope="row">{t(`group.eval.item.${item as EvaluationItem}`)}</th>
                      {(counts ?? []).map((n, i) => (
                        <td key={i} title={String(i + 1)}>
                          {i + 1}: {n}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </>
      )}
    </section>
  );
}
