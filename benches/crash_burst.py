"""The burst of benches/crash.sh: N audited commands (site_set) sent one
after another over the daemon's socket; each acknowledged one (an Ok
response) is appended to ACKED as soon as it arrives, so whatever kills the
daemon, ACKED lists exactly what homedeck said it had done.
Usage: crash_burst.py SOCKET N TAG ACKED"""
import json, socket, struct, sys, time

path, n, tag, acked_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
deadline = time.time() + 20
while True:
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(f"no daemon on {path}")
        time.sleep(0.02)

def send(frame):
    body = json.dumps(frame).encode()
    s.sendall(struct.pack(">I", len(body)) + body)

def exact(k):
    buf = b""
    while len(buf) < k:
        chunk = s.recv(k - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf

def frame():
    return json.loads(exact(struct.unpack(">I", exact(4))[0]))

send({"frame": "hello", "protocol": 1, "frontend": "cli", "events": False})
hello = frame()
if hello.get("frame") != "hello":
    sys.exit(f"refused: {hello}")
with open(acked_path, "w") as acked:
    try:
        for i in range(n):
            site = f"{tag}-{i}"
            send({"frame": "request", "id": i + 1, "command": {"command": "site_set", "kind": "backup_source", "name": "b", "site": site}})
            while True:
                f = frame()
                if f.get("frame") == "response" and f.get("id") == i + 1:
                    break
            if "Ok" not in f["result"]:
                sys.exit(f"site_set {site} failed: {f['result']}")
            acked.write(site + "\n")
            acked.flush()
    except (EOFError, ConnectionResetError, BrokenPipeError):
        pass  # the daemon was killed: what was acknowledged is in ACKED
