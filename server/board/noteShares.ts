/**
 * How many notes each seat added in each case: a count per seat and case, in memory only, with
 * no note id, so nothing stored or sent links a note to a seat. A restart resets the counts
 * (SPEC.md LIMIT-5): the share is a bound against floods, not an accounting.
 */
export class NoteShares {
  private readonly counts = new Map<string, Map<string, number>>();

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
