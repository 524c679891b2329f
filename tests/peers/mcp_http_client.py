"""A real MCP client (the MCP Python SDK's Streamable HTTP client) against
`homedeck daemon`'s `[mcp] listen`. Run by tests/mcp_http.rs with the venv
from tests/peers/mcp.sh:
    mcp_http_client.py SCENARIO URL TOKEN
Prints one JSON object (what it saw) on its last line. Scenarios:
  calls   initialize, list tools (each schema checked with jsonschema), then
          the calls in $CALLS ([[tool, arguments], ...]), each answer reported;
          a call the server answers with an HTTP error is reported as an error
          with the exception's text. When $REVOKE_AFTER is N, the command in
          $REVOKE_CMD (JSON list) runs after the Nth call (mid-session).
$MCP_CA names the CA file for an https:// URL.
          Each call's round trip is reported in ms; a call that raised ends
          the list unless $GO_ON is 1.
  raw     plain HTTP POSTs: no Authorization, a Basic one, a wrong bearer
          token, and TOKEN if given ("given"); each status, body and
          WWW-Authenticate.
  rawcall a plain HTTP POST of a tools/call (server_list) with TOKEN: its
          status, body and Retry-After.
  brute   $TIMES plain HTTP POSTs with wrong bearer tokens: each status and
          Retry-After.
"""
import asyncio
import json
import os
import ssl
import subprocess
import sys
import time

import httpx2
import jsonschema
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
ACCEPT = {"Accept": "application/json, text/event-stream"}


def verify():
    """$MCP_CA: the CA file of an HTTPS listener's self-signed certificate."""
    ca = os.environ.get("MCP_CA")
    return ssl.create_default_context(cafile=ca) if ca else True


def http_client(token):
    if os.environ.get("MCP_CA"):
        return httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, verify=verify(), timeout=httpx2.Timeout(30, read=300))
    return create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})


def text_of(result):
    return "\n".join(getattr(c, "text", "") for c in result.content)


def flatten(e):
    """An exception group's leaves as one line."""
    subs = getattr(e, "exceptions", None)
    if subs:
        return "; ".join(flatten(s) for s in subs)
    return f"{type(e).__name__}: {e}"


async def calls(url, token):
    seen = {"calls": []}
    revoke_after = int(os.environ.get("REVOKE_AFTER", "-1"))
    async with http_client(token) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                init = await session.initialize()
                seen["server"] = init.server_info.name
                tools = (await session.list_tools()).tools
                seen["tools"] = [t.name for t in tools]
                for t in tools:
                    jsonschema.Draft202012Validator.check_schema(t.input_schema)
                for i, (tool, args) in enumerate(json.loads(os.environ["CALLS"])):
                    if i == revoke_after:
                        subprocess.run(json.loads(os.environ["REVOKE_CMD"]), check=True, capture_output=True)
                    t = time.perf_counter()
                    try:
                        r = await asyncio.wait_for(session.call_tool(tool, args), 30)
                        ms = (time.perf_counter() - t) * 1000
                        seen["calls"].append({"tool": tool, "error": bool(r.is_error), "text": text_of(r), "ms": ms, "structured": r.structured_content})
                    except Exception as e:  # an HTTP error ends up here
                        ms = (time.perf_counter() - t) * 1000
                        seen["calls"].append({"tool": tool, "error": True, "text": flatten(e), "ms": ms, "raised": True})
                        if os.environ.get("GO_ON") != "1":
                            break
    return seen


def raw(url, token):
    seen = {}
    cases = {"none": {}, "basic": {"Authorization": "Basic dTpw"}, "wrong": {"Authorization": "Bearer hd_" + "0" * 64}}
    if token:
        cases["given"] = {"Authorization": f"Bearer {token}"}
    for name, headers in cases.items():
        r = httpx2.post(url, json=INIT, headers={**ACCEPT, **headers}, verify=verify())
        seen[name] = {"status": r.status_code, "body": r.text, "challenge": r.headers.get("www-authenticate", "")}
    return seen


def answer(r):
    return {"status": r.status_code, "body": r.text, "retry_after": r.headers.get("retry-after")}


def rawcall(url, token):
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "server_list", "arguments": {}}}
    r = httpx2.post(url, json=call, headers={**ACCEPT, "Authorization": f"Bearer {token}"}, verify=verify())
    return answer(r)


def brute(url):
    seen = {"answers": []}
    for i in range(int(os.environ["TIMES"])):
        wrong = {"Authorization": "Bearer hd_" + f"{i:064d}"}
        seen["answers"].append(answer(httpx2.post(url, json=INIT, headers={**ACCEPT, **wrong}, verify=verify())))
    return seen


async def main():
    scenario, url, token = sys.argv[1:4]
    if scenario == "calls":
        try:
            seen = await calls(url, token)
        except Exception as e:
            seen = {"failed": flatten(e)}
    elif scenario == "raw":
        seen = raw(url, token)
    elif scenario == "rawcall":
        seen = rawcall(url, token)
    elif scenario == "brute":
        seen = brute(url)
    else:
        sys.exit(f"unknown scenario {scenario}")
    print(json.dumps(seen))


asyncio.run(main())
