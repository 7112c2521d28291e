#!/usr/bin/env python3
# How long an idle process takes to answer on this machine (issue 17's p99 work): two processes,
# each pinned to a CPU, ping-pong 32 bytes over loopback TCP with a gap between round trips, and
# the round-trip percentiles are printed. Across CPUs after a gap, a halted vCPU must be woken.
# Usage: python3 scripts/bench/wake-latency.py CPU_A CPU_B GAP_MS   (e.g. 0 1 2, then 1 1 2)
import os, socket, sys, time, statistics
cpu_a, cpu_b, gap_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1); port = srv.getsockname()[1]
pid = os.fork()
if pid == 0:
    os.sched_setaffinity(0, {cpu_b})
    c, _ = srv.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        d = c.recv(64)
        if not d: break
        c.sendall(d)
    os._exit(0)
os.sched_setaffinity(0, {cpu_a})
s = socket.create_connection(('127.0.0.1', port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
rtts = []
for i in range(2000):
    if gap_ms: time.sleep(gap_ms / 1000)
    t = time.perf_counter(); s.sendall(b'x' * 32); s.recv(64); rtts.append((time.perf_counter() - t) * 1e6)
s.close(); os.waitpid(pid, 0)
rtts.sort()
print(f"cpu {cpu_a}->{cpu_b} gap {gap_ms} ms: p50 {rtts[len(rtts)//2]:.0f} us, p90 {rtts[int(len(rtts)*.9)]:.0f}, p99 {rtts[int(len(rtts)*.99)]:.0f}")
