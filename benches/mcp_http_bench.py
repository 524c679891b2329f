"""tools/call over Streamable HTTP with the MCP Python SDK (benches/mcp.sh).

    mcp_http_bench.py HOMEDECK_BIN URL TOKEN CALLS            one client
    mcp_http_bench.py HOMEDECK_BIN URL TOKEN load CLIENTS PER  concurrent
    mcp_http_bench.py HOMEDECK_BIN URL TOKEN raw CALLS        without the SDK
One client: CALLS timed calls of the read tool server_list after 20 warm-up
calls, with the engine's own time of each from the audit log (duration_ms of
the token's entries), one line of medians. Concurrent: CLIENTS sessions, each
PER calls at once; throughput, p99, errors, and the audit entries counted
(every call must have one). Raw: the same client library (httpx2, async)
without the SDK — first CALLS GETs with no token, which the daemon's gate
answers 401 before any MCP or engine work (the floor: HTTP client, TCP,
hyper), then tools/call POSTs on a session set up by hand, alternately read
until the answer's SSE event is whole (what the SDK waits for) and to the
end of the stream, CALLS each; what the SDK adds is the SDK row's median
minus the first of these.
"""
import asyncio
import json
import statistics
import subprocess
import sys
import time

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


async def session_calls(url, token, calls, warmup, times, errors):
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                for _ in range(warmup):
                    await session.call_tool("server_list", {})
                for _ in range(calls):
                    t = time.perf_counter()
                    r = await session.call_tool("server_list", {})
                    times.append((time.perf_counter() - t) * 1000)
                    if r.is_error:
                        errors.append(r.content)


async def answer(http, url, body, headers, whole):
    """POST and read the SSE answer until its JSON-RPC response is whole (as
    the SDK does), or (`whole`) to the end of the stream."""
    async with http.stream("POST", url, json=body, headers=headers) as r:
        assert r.status_code == 200, r.status_code
        text = ""
        async for chunk in r.aiter_text():
            text += chunk
            if not whole and '"id":2' in text and text.endswith("\n\n"):
                break
    assert '"id":2' in text and "local" in text, text
    return text


async def raw(url, token, calls):
    accept = {"Accept": "application/json, text/event-stream"}
    auth = {**accept, "Authorization": f"Bearer {token}"}
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "server_list", "arguments": {}}}
    floor, first, whole = [], [], []
    async with create_mcp_http_client() as http:
        for i in range(calls + 20):
            t = time.perf_counter()
            r = await http.get(url, headers=accept)
            if i >= 20:
                floor.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 401, r.status_code
        r = await http.post(url, json=init, headers=auth)
        session = {**auth, "mcp-session-id": r.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session)
        for i in range(2 * (calls + 20)):
            t = time.perf_counter()
            await answer(http, url, call, session, i % 2 == 1)
            if i >= 40:
                (whole if i % 2 else first).append((time.perf_counter() - t) * 1000)
        await http.delete(url, headers=session)
    print(f"HTTP floor (GET without a token: 401 from the gate, no MCP): {calls} requests, median {statistics.median(floor):.3f} ms (p99 {p99(floor):.3f})")
    print(f"HTTP tools/call without the SDK (httpx2 async), answer read: {calls} calls, median {statistics.median(first):.3f} ms (p99 {p99(first):.3f})")
    print(f"HTTP tools/call without the SDK (httpx2 async), stream ended: {calls} calls, median {statistics.median(whole):.3f} ms (p99 {p99(whole):.3f})")


def audit(binary, actor, limit):
    out = subprocess.run([binary, "--json", "audit", "search", "--actor", actor, "--limit", str(limit)], capture_output=True, text=True, check=True)
    page = json.loads(out.stdout)
    return [e for e in page.get("page", page).get("entries", []) if e["action"] == "server_list"]


def p99(times):
    return sorted(times)[int(len(times) * 0.99) - 1]


async def main():
    binary, url, token = sys.argv[1:4]
    if sys.argv[4] == "raw":
        await raw(url, token, int(sys.argv[5]))
        return
    if sys.argv[4] == "load":
        clients, per = int(sys.argv[5]), int(sys.argv[6])
        before = len(audit(binary, "token:load", 10000))
        times, errors = [], []
        t = time.perf_counter()
        await asyncio.gather(*(session_calls(url, token, per, 0, times, errors) for _ in range(clients)))
        wall = time.perf_counter() - t
        audited = len(audit(binary, "token:load", 10000)) - before
        total = clients * per
        print(f"HTTP, {clients} clients x {per} calls: {total / wall:.0f} calls/s, median {statistics.median(times):.3f} ms, p99 {p99(times):.3f} ms, "
              f"{len(errors)} errors, {audited} of {total} calls audited")
        if errors or audited != total:
            sys.exit("errors or lost audit entries")
        return
    calls = int(sys.argv[4])
    times, errors = [], []
    await session_calls(url, token, calls, 20, times, errors)
    if errors:
        sys.exit(f"server_list failed: {errors[0]}")
    engine = [float(c["after"]) for e in audit(binary, "token:bench", calls) for c in e.get("changes", []) if c["field"] == "duration_ms"]
    if not engine:
        sys.exit("no duration_ms in the audit log")
    rt, eng = statistics.median(times), statistics.median(engine)
    print(f"HTTP (daemon, one client): {calls} calls, round trip median {rt:.3f} ms (p99 {p99(times):.3f}), engine median {eng:.3f} ms, overhead {rt - eng:.3f} ms")


asyncio.run(main())
