"""A real MCP client (the MCP Python SDK) driving `homedeck mcp` over stdio.

Run by tests/mcp_stdio.rs with the venv from tests/peers/mcp.sh:
    mcp_client.py SCENARIO HOMEDECK_BIN DATA_DIR [extra homedeck args...]
Prints one JSON object (what it saw) on its last line; exits non-zero with a
message on stderr when a check fails. Scenarios:
  full      initialize, list tools (each schema checked with jsonschema),
            list and read resources, call a read tool, a bad call, a write tool
  readonly  (homedeck started --readonly) list tools: only reads; a write refused
  write     a write tool (server_add)
  calls     the calls in $CALLS ([[tool, arguments], ...]), each answer reported
"""
import asyncio
import json
import os
import sys

import jsonschema
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


def fail(msg):
    print(f"mcp_client: {msg}", file=sys.stderr)
    sys.exit(1)


def text_of(result):
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def main():
    scenario, binary, data_dir, *extra = sys.argv[1:]
    env = dict(os.environ)
    params = StdioServerParameters(command=binary, args=["--data-dir", data_dir, *extra, "mcp", *os.environ.get("MCP_ARGS", "").split()], env=env)
    seen = {"texts": []}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            seen["server"] = init.server_info.name
            seen["protocol"] = str(init.protocol_version)
            tools = (await session.list_tools()).tools
            seen["tools"] = [t.name for t in tools]
            for t in tools:
                jsonschema.Draft202012Validator.check_schema(t.input_schema)
                if t.input_schema.get("type") != "object":
                    fail(f"{t.name}: schema is not an object")
            by_name = {t.name: t for t in tools}
            if scenario == "full":
                ann = by_name["server_list"].annotations
                seen["server_list_read_only"] = ann.read_only_hint
                seen["server_remove_destructive"] = by_name["server_remove"].annotations.destructive_hint
                # Arguments a schema accepts are accepted by homedeck, and the reverse.
                jsonschema.validate({"name": "local"}, by_name["server_show"].input_schema)
                try:
                    jsonschema.validate({"name": "x", "bogus": 1}, by_name["server_show"].input_schema)
                    fail("schema accepted an unknown argument")
                except jsonschema.ValidationError:
                    pass
                res = await session.list_resources()
                seen["resources"] = [str(r.uri) for r in res.resources]
                rr = await session.read_resource("homedeck://servers")
                seen["texts"].append(rr.contents[0].text)
                r = await session.call_tool("server_list", {})
                seen["read_error"] = bool(r.is_error)
                seen["texts"].append(text_of(r))
                r = await session.call_tool("audit_search", {"limit": 5})
                seen["audit_error"] = bool(r.is_error)
                seen["texts"].append(text_of(r))
                r = await session.call_tool("server_show", {"name": "no-such-server"})
                seen["notfound_error"] = bool(r.is_error)
                seen["notfound_text"] = text_of(r)
                r = await session.call_tool("ha_add", {"name": "h", "url": "http://127.0.0.1:9", "token": os.environ.get("CANARY", "x")})
                seen["secret_arg_error"] = bool(r.is_error)
                seen["texts"].append(text_of(r))
                r = await session.call_tool("site_set", {"kind": "server", "name": "local", "site": "home"})
                seen["outside_toolsets_error"] = bool(r.is_error)
                seen["outside_toolsets_text"] = text_of(r)
            elif scenario == "write":
                r = await session.call_tool("server_add", {"name": "nas", "host": "127.0.0.1", "port": 2222, "user": "backup", "auth": "agent", "site": "cabin"})
                seen["write_error"] = bool(r.is_error)
                seen["write_text"] = text_of(r)
            elif scenario == "readonly":
                r = await session.call_tool("server_remove", {"name": "local"})
                seen["write_error"] = bool(r.is_error)
                seen["write_text"] = text_of(r)
                r = await session.call_tool("server_list", {})
                seen["read_error"] = bool(r.is_error)
            elif scenario == "calls":
                # CALLS: a JSON list of [tool, arguments]; each answer in order.
                seen["calls"] = []
                for tool, args in json.loads(os.environ["CALLS"]):
                    r = await session.call_tool(tool, args)
                    seen["calls"].append({"tool": tool, "error": bool(r.is_error), "text": text_of(r)})
            else:
                fail(f"unknown scenario {scenario}")
    print(json.dumps(seen))


asyncio.run(main())
