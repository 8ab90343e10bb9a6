#!/usr/bin/env python3
"""Sends malformed frames to a running FlintDB while a canary client keeps
querying; prints frames sent, canary failures and worst canary latency.

  hostile-frames.py PORT [FRAMES]

Half the frames go to authenticated connections as pipelined messages
that are each wrong but well framed (Bind/Describe/Execute/Close of things
that do not exist, Parse and Query of bad SQL), with a Sync every 1,000;
the other half are garbage sent to fresh connections before authentication
(random bytes, impossible lengths, a Query in place of a password, a 2 GB
password message, HTTP), 50 per connection: the server answers the first
with FATAL 08P01 (or an HTTP 400) and closes. Standard library only."""
import os, random, socket, struct, sys, threading, time

port = int(sys.argv[1])
total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000

def frame(tag, body=b""):
    return tag + struct.pack("!i", len(body) + 4) + body

def startup(user="postgres"):
    body = struct.pack("!i", 196608) + b"user\0" + user.encode() + b"\0\0"
    return struct.pack("!i", len(body) + 4) + body

def read_until_ready(s):
    buf = b""
    while b"Z\0\0\0\x05" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("closed during startup")
        buf += chunk

def drain(s, stop):
    s.settimeout(0.5)
    while not stop.is_set():
        try:
            if not s.recv(1 << 20):
                return
        except socket.timeout:
            pass
        except OSError:
            return

BAD = [
    frame(b"B", b"\0nosuch\0\0\0\0\0\0\0"),
    frame(b"D", b"Pnosuch\0"),
    frame(b"E", b"nosuch\0\0\0\0\0"),
    frame(b"P", b"\0SELEC garbage (\0\0\0"),
    frame(b"C", b"Snosuch\0"),
    frame(b"Q", b"SELEC garbage (\0"),
]

def authenticated_flood(n, out):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(startup())
    read_until_ready(s)
    stop = threading.Event()
    reader = threading.Thread(target=drain, args=(s, stop))
    reader.start()
    sent = 0
    batch = []
    while sent < n:
        batch.append(random.choice(BAD))
        sent += 1
        if len(batch) == 1000:
            batch.append(frame(b"S"))
            s.sendall(b"".join(batch))
            batch = []
    batch.append(frame(b"S"))
    s.sendall(b"".join(batch))
    time.sleep(0.5)
    stop.set()
    reader.join()
    s.close()
    out.append(sent)

def garbage(n, out):
    sent = 0
    kinds = [
        lambda: struct.pack("!i", random.choice([-1, 0, 3, 2**31 - 1])) + os.urandom(4),
        lambda: os.urandom(random.randint(1, 64)),
        lambda: startup() + frame(b"Q", b"SELECT 1\0"),
        lambda: startup() + b"p\x7f\xff\xff\xff",
        lambda: b"GET / HTTP/1.1\r\n\r\n",
    ]
    while sent < n:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.settimeout(2)
            # many garbage frames on one connection: the first one closes it
            s.sendall(b"".join(random.choice(kinds)() for _ in range(50)))
            try:
                s.recv(4096)
            except OSError:
                pass
            s.close()
        except OSError:
            pass
        sent += 50

canary_fail = 0
canary_worst = 0.0
canary_runs = 0
done = threading.Event()

def canary():
    global canary_fail, canary_worst, canary_runs
    while not done.is_set():
        t = time.time()
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(startup())
            read_until_ready(s)
            s.sendall(frame(b"Q", b"SELECT 1\0"))
            buf = b""
            while b"Z\0\0\0\x05" not in buf:
                buf += s.recv(65536)
            s.sendall(frame(b"X"))
            s.close()
            canary_runs += 1
        except Exception:
            canary_fail += 1
        canary_worst = max(canary_worst, time.time() - t)
        time.sleep(0.1)

start = time.time()
c = threading.Thread(target=canary)
c.start()
sent_auth, sent_garbage = [], []
workers = [threading.Thread(target=authenticated_flood, args=(total // 2 // 4, sent_auth)) for _ in range(4)]
workers += [threading.Thread(target=garbage, args=(total // 2 // 4, sent_garbage)) for _ in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()
done.set()
c.join()
print(f"frames sent: {sum(sent_auth)} authenticated malformed + {total // 2} pre-auth garbage "
      f"in {time.time() - start:.1f}s; canary: {canary_runs} queries, {canary_fail} failures, "
      f"slowest {canary_worst * 1000:.0f} ms")
