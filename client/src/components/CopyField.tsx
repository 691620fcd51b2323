import { useId, useState } from 'react';
import { useT } from '../i18n';

/** A read-only link with a copy button; works on plain-HTTP pages too (falls back to selecting). */
export function CopyField({
  label,
  value,
  hint,
  tone,
}: {
  label: string;
  value: string;
  hint?: string;
  tone?: 'private';
}) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  // React's own id: a label-derived one lost every Greek letter and gave three fields one id.
  const id = useId();
  const hintId = `${id}-hint`;
  async function copy(input: HTMLInputElement | null) {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      input?.select();
    }
  }
  return (
    <div className={`copy-field${tone === 'private' ? ' is-private' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      <div className="copy-row">
        <input
          id={id}
          readOnly
          value={value}
          onFocus={(e) => e.target.select()}
          aria-describedby={hint ? hintId : undefined}
        />
        <button
          type="button"
          // Three Copy buttons on one screen: each says which link it copies.
          aria-label={t(copied ? 'common.copiedWhat' : 'common.copyWhat', { what: label })}
          onClick={(e) => void copy(e.currentTarget.previousElementSibling as HTMLInputElement)}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
    </div>
  );
}
