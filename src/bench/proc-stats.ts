// CPU time and resident memory of a process, read from /proc (Linux). Used for the server under
// test (--server-pid) and, through process.cpuUsage(), for the bench itself.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

/** Clock ticks per second (USER_HZ); 100 on nearly every Linux, but asked once to be sure. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  /** user + system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident set size in KiB. */
  rssKiB: number;
  /** When the sample was taken (performance.now() milliseconds). */
  at: number;
  /** The same instant on CLOCK_MONOTONIC in µs, the clock of V8 .cpuprofile files. */
  monoUs: number;
  /**
   * Milliseconds the process's threads, all summed, spent ready to run but waiting for a CPU
   * (schedstat); undefined where the kernel keeps no schedstat. On a shared machine this is the
   * latency the scheduler adds, which no server can remove.
   */
  waitMs?: number;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  const waitMs = runQueueWaitMs(pid);
  return {
    cpuSeconds: (utime + stime) / clockTicks(),
    rssKiB: rss ? Number(rss[1]) : Number.NaN,
    at: performance.now(),
    monoUs: Number(process.hrtime.bigint() / 1000n),
    ...(waitMs === undefined ? {} : { waitMs }),
  };
}

/** Sum over threads of /proc/<pid>/task/<tid>/schedstat's second field (run-queue wait, ns). */
function runQueueWaitMs(pid: number): number | undefined {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let waitNs = 0;
  let read = 0;
  for (const tid of tasks) {
    try {
      waitNs += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      read++;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return read > 0 && Number.isFinite(waitNs) ? waitNs / 1e6 : undefined;
}

/** Samples pid when given; returns undefined (not an error) when there is no pid to watch. */
export function maybeSample(pid: number | undefined): ProcSample | undefined {
  return pid === undefined ? undefined : sampleProcess(pid);
}

/** This process's soft limit on open files (`ulimit -n`), or undefined where /proc has none. */
export function openFilesLimit(): number | undefined {
  try {
    const row = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return row?.[1] === undefined || row[1] === 'unlimited' ? undefined : Number(row[1]);
  } catch {
    return undefined;
  }
}

/** The bench's own CPU, all threads included. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
