// `process.memory` on the admin socket: the server's own memory figures (process.memoryUsage()), for
// `npm run soak` and for an admin who wonders where the RSS went. With {"gc": true} it first runs a full
// garbage collection when the process was started with --expose-gc, so a figure after load is what is still
// alive, not what the collector has not got round to yet.
export interface ProcessMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** A full collection ran just before the figures were taken. */
  collected: boolean;
}

export function processMemory(args: Record<string, unknown>): ProcessMemory {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = args.gc === true && typeof gc === 'function';
  if (collect) gc();
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapTotal, heapUsed, external, arrayBuffers, collected: collect };
}
