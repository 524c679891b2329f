"""tools/call round trip over stdio with the MCP Python SDK (benches/mcp.sh).

    mcp_bench.py HOMEDECK_BIN CALLS LABEL
Times CALLS calls of the read tool server_list (after 20 warm-up calls), then
reads the engine's own time of each from the audit log (`duration_ms`, which
dispatch records for every ...@mcp call) and prints one line of medians.
"""
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


async def main():
    binary, calls, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    times = []
    params = StdioServerParameters(command=binary, args=["mcp"], env=dict(os.environ))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            for _ in range(20):
                await session.call_tool("server_list", {})
            for _ in range(calls):
                t = time.perf_counter()
                r = await session.call_tool("server_list", {})
                times.append((time.perf_counter() - t) * 1000)
                if r.is_error:
                    sys.exit(f"server_list failed: {r.content}")
    out = subprocess.run([binary, "--json", "audit", "search", "--actor", "mcp", "--limit", str(calls)], capture_output=True, text=True, check=True)
    page = json.loads(out.stdout)
    entries = page.get("page", page).get("entries", [])
    engine = [float(c["after"]) for e in entries for c in e.get("changes", []) if c["field"] == "duration_ms"]
    if not engine:
        sys.exit(f"no duration_ms in the audit log: {out.stdout[:500]}")
    times.sort()
    rt, eng = statistics.median(times), statistics.median(engine)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"{label}: {calls} calls, round trip median {rt:.3f} ms (p99 {p99:.3f}), engine median {eng:.3f} ms, overhead {rt - eng:.3f} ms")


asyncio.run(main())
