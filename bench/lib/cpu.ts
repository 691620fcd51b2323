import { readFileSync } from 'node:fs';

/** Busy and total time of all CPUs together, from /proc/stat (in clock ticks). */
interface CpuTimes {
  busy: number;
  total: number;
}

function read(): CpuTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Starts measuring how busy the whole machine is; the returned function gives the busy time
 * since then in cores (2 = both cores of a 2-core machine fully busy), or NaN off Linux.
 */
export function machineBusy(cores: number): () => number {
  const from = read();
  return () => {
    const to = read();
    if (!from || !to || to.total === from.total) return Number.NaN;
    return ((to.busy - from.busy) / (to.total - from.total)) * cores;
  };
}

/** The 1-minute load average, as the kernel reports it. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}
