import type { CaseInfo, MeetingState } from './state';

/**
 * A meeting state as stored by an older server, with the fields added since given their
 * defaults (PROTOCOL_VERSION 3: the projector's blank, each case's parking-lot visibility and
 * resonance consent). The
 * stored JSON needs no migration; it is read through this.
 */
export function upgradeStoredState(stored: MeetingState): MeetingState {
  const old = stored as MeetingState & {
    settings: Partial<MeetingState['settings']>;
    cases: Partial<CaseInfo>[];
  };
  return {
    ...stored,
    settings: { ...stored.settings, projectorBlank: old.settings.projectorBlank ?? false },
    cases: old.cases.map((c) => ({
      presenterSeatId: c.presenterSeatId ?? null,
      parkingLot: c.parkingLot ?? 'leaders',
      resonanceShown: c.resonanceShown ?? false,
    })),
  };
}
