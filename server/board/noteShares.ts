import { seatKey, type Limits } from '../limits/seatLimits';

/**
 * How many notes each seat added in each case: a count per seat and case, in memory only, with
 * no note id, so nothing stored or sent links a note to a seat. A restart resets the counts
 * (SPEC.md LIMIT-5): the share is a bound against floods, not an accounting. With several
 * processes the share is also spent in the limits' shared store (SCALE-23), so that a seat's
 * connections on different processes share one.
 */
export class NoteShares {
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(private readonly limits?: Pick<Limits, 'noteShare'>) {}

  /** Spends one note of the seat's share on every process; false when it is used up there. */
  async spendAcross(meetingId: string, caseIndex: number, seatId: string): Promise<boolean> {
    if (!this.limits) return true;
    return (await this.limits.noteShare(seatKey(meetingId, seatId), caseIndex)).ok;
  }

  added(meetingId: string, caseIndex: number, seatId: string): number {
    return this.counts.get(meetingId)?.get(`${caseIndex}/${seatId}`) ?? 0;
  }

  count(meetingId: string, caseIndex: number, seatId: string): void {
    let meeting = this.counts.get(meetingId);
    if (!meeting) this.counts.set(meetingId, (meeting = new Map()));
    const key = `${caseIndex}/${seatId}`;
    meeting.set(key, (meeting.get(key) ?? 0) + 1);
  }

  /** The meeting ended: keep nothing of it. */
  forget(meetingId: string): void {
    this.counts.delete(meetingId);
  }
}
