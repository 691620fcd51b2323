import { useEffect, useState, type FormEvent } from 'react';
import { Page } from '../../components/Page';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import type { ApiErrorCode } from '../../connection';
import { groupApi, loadGroupToken, saveGroupToken } from '../../connection/groupApi';
import { useT } from '../../i18n';
import { navigate, paths, readFragment } from '../../router';

/**
 * GROUP-5/6: the standing member link. A device that already holds this group's member token
 * goes straight on to the group page (and from there into a live meeting); a new one asks once,
 * with a name, and waits for a leader.
 */
export default function GroupJoinScreen() {
  const t = useT();
  useDocumentTitle(t('group.join.title'));
  const [code, setCode] = useState(() => readFragment('code') ?? '');
  const [group, setGroup] = useState<{ groupId: string; groupName: string } | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorCode | null>(null);

  async function resolve(value: string) {
    setError(null);
    const found = await groupApi.resolve(value.trim());
    if (!found.ok) return setError(found.code);
    if (loadGroupToken('member', found.value.groupId))
      return navigate(paths.groupMember(found.value.groupId), { replace: true });
    setGroup(found.value);
  }

  useEffect(() => {
    const fromLink = readFragment('code');
    if (fromLink) void resolve(fromLink);
    // Once, for the code the link carried.
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!group) return void resolve(code);
    setBusy(true);
    const asked = await groupApi.join(code.trim(), name.trim());
    setBusy(false);
    if (!asked.ok) return setError(asked.code);
    saveGroupToken('member', asked.value.groupId, asked.value.token);
    navigate(paths.groupMember(asked.value.groupId), { replace: true });
  }

  return (
    <Page>
      <h1>{group ? t('group.join.titleNamed', { name: group.groupName }) : t('group.join.title')}</h1>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {!group && (
          <label className="field">
            <span>{t('group.memberCode')}</span>
            <input
              className="input-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoCapitalize="characters"
              autoComplete="off"
              spellCheck={false}
              required
              maxLength={40}
            />
          </label>
        )}
        {group && (
          <>
            <p>{t('group.join.once')}</p>
            <label className="field">
              <span>{t('join.name')}</span>
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                autoComplete="name"
                required
                maxLength={60}
                autoFocus
              />
            </label>
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {t(`error.${error}`)}
          </p>
        )}
        <button type="submit" className="button-primary button-big" disabled={busy}>
          {group ? t('group.join.ask') : t('group.join.next')}
        </button>
      </form>
    </Page>
  );
}
