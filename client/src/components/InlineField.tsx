import { useId, type ReactNode } from 'react';

/**
 * A small label beside its control, tied by id (not by wrapping): a wrapped menu would take its
 * chosen option into its accessible name ("Phase Opening" instead of "Phase").
 */
export function InlineField({
  label,
  className = 'inline-field',
  children,
}: {
  label: string;
  className?: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <span className={className}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </span>
  );
}
