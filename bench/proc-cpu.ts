// A child's CPU time read from /proc/<pid>/stat: every thread of it, measured from outside the process.
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: utime and stime are counted in these ticks. */
const TICKS_PER_SECOND = 100;

/**
 * utime + stime of the whole process in ms (all its threads: GC helpers, the libuv pool, a SQLite
 * worker). Read by the load generator, so the figure is the kernel's, whatever the machine's load:
 * the time the process ran, not the wall time it waited for a core. NaN where /proc is missing.
 */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
