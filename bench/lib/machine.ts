import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine a run was measured on, as one line for the report. */
export function describeMachine(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: keep what os.cpus() said
  }
  const gib = (os.totalmem() / 1024 ** 3).toFixed(1);
  return (
    `${os.availableParallelism()} CPUs (nproc), ${model}, ${gib} GiB memory, ` +
    `Node ${process.version}, ${os.type()} ${os.release()}`
  );
}
