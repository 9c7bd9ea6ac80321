// A child's CPU time read from /proc: every thread of it, measured from outside the process.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: utime and stime are counted in these ticks. */
const TICKS_PER_SECOND = 100;
const TICK_MS = 1000 / TICKS_PER_SECOND;

/**
 * utime + stime of the whole process in ms from /proc/<pid>/stat (all its threads, exited ones
 * too), in whole ticks of 10 ms. NaN where /proc is missing.
 */
export function procCpuTicksMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/**
 * The time on a CPU of every living thread of the process in ms, in nanoseconds from
 * /proc/<pid>/task/<tid>/schedstat (its first field: user and system time alike). The ticks of
 * /proc/<pid>/stat are 10 ms: the bare relay's set-up of 200 streams is 5 to 10 of them, so one
 * tick more or less moved its figure by 10-20%. NaN where schedstat is missing.
 */
export function procSchedMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read: its time is in the ticks (below).
      }
    }
    return ns / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** Both readings at one moment: `cpuSpentMs` of two of them is the CPU the process used between. */
export interface CpuReading {
  sched: number;
  ticks: number;
}

export const readCpu = (pid: number): CpuReading => ({ sched: procSchedMs(pid), ticks: procCpuTicksMs(pid) });

/**
 * CPU used between two readings, in ms: the nanosecond figure, unless a thread ended in between
 * (its time is then missing from the task sum, which falls short of the ticks by more than their
 * rounding) or schedstat is missing; then the ticks.
 */
export function cpuSpentMs(from: CpuReading, to: CpuReading): number {
  const ticks = to.ticks - from.ticks;
  const sched = to.sched - from.sched;
  if (!Number.isFinite(sched)) return ticks;
  return sched < ticks - 2 * TICK_MS - 0.05 * ticks ? ticks : sched;
}
