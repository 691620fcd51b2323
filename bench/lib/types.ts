/** What the benchmark's processes tell each other over IPC. */

export interface DelayStats {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The server probe's answer (bench/server-probe.ts). */
export interface ProbeStats {
  eventLoop: DelayStats;
  memory: NodeJS.MemoryUsage;
  cpuMicros: NodeJS.CpuUsage;
  gcRan: boolean;
  /** Garbage-collection pauses since the last reset. */
  gcPauses: { count: number; totalMs: number; maxMs: number };
  /** The server's monotonic clock (the one its CPU profile's timestamps use), in µs. */
  monotonicMicros: number;
  /** Event-loop stalls of 50 ms or more since the last reset: when they ended (ms) and how long. */
  stalls: { at: number; ms: number }[];
  /** WAL truncations since the last reset (DISK-3): how many, how many a lock refused, time on the loop. */
  checkpoints: {
    count: number;
    busy: number;
    /** Each truncation's time on the event loop. */
    p99: number;
    max: number;
    /** The longest truncation on the WAL worker, holding the write lock. */
    workerMax: number;
    /** Writes that waited for another connection's lock (off the loop), and the longest wait. */
    lockWaits: number;
    lockWaitMax: number;
  };
}

/** A seat the load generator connects as: the leader first, then the participants. */
export interface SeatCreds {
  token: string;
  role: 'leader' | 'participant';
}

/** A meeting prepared for the benchmark, running, in a phase where notes may be posted. */
export interface PreparedMeeting {
  meetingId: string;
  caseIndex: number;
  /** The phase the meeting is in (speculation); jumping to it restarts it: a phase change. */
  notePhaseId: string;
  /** Another board-visible phase, for phase-change round trips (the presenter's return). */
  otherPhaseId: string;
  seats: SeatCreds[];
}

export interface FanoutResult {
  /** Per note: ms from note:add to the note being in every other client's document. */
  real: number[];
  bare: number[];
  /** Bytes of the Yjs update that carried one note to a client, and of the baseline's update. */
  updateBytes: number;
  bareUpdateBytes: number;
  errors: string[];
}

export interface PhaseResult {
  /** Per change: ms from the leader's command to the new snapshot at every client. */
  real: number[];
  bare: number[];
  snapshotBytes: number;
  errors: string[];
}

export interface ConnectResult {
  meetings: number;
  seats: number;
  failed: number;
  ms: number;
  errors: string[];
}

export interface LoadResult {
  /** Per note: ms until every other client of the meeting had it. */
  fanout: number[];
  /** Per phase change: ms until every client of the meeting had the new snapshot. */
  phase: number[];
  notesSent: number;
  phaseChanges: number;
  /** Notes or phase changes refused, lost or late beyond the delivery limit; drops. */
  errors: number;
  errorSamples: string[];
  /** The load generator's own event-loop delay and CPU use during the window. */
  workerEventLoop: DelayStats;
  workerCpuPercent: number;
}
