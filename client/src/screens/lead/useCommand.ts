import { useCallback, useState } from 'react';
import type { ErrorCode } from '../../../../shared/errors';
import type { MeetingCommand } from '../../../../shared/meeting/commands';
import { useConnection } from '../../connection';

/** Sends leader commands; keeps the last refusal so the console can say why, calmly. */
export function useCommand(): {
  run: (command: MeetingCommand) => Promise<boolean>;
  error: ErrorCode | null;
  clearError: () => void;
} {
  const connection = useConnection();
  const [error, setError] = useState<ErrorCode | null>(null);
  const run = useCallback(
    async (command: MeetingCommand) => {
      const result = await connection.command(command);
      setError(result.ok ? null : result.error.code);
      return result.ok;
    },
    [connection],
  );
  return { run, error, clearError: useCallback(() => setError(null), []) };
}

export type RunCommand = (command: MeetingCommand) => Promise<boolean>;
