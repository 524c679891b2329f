"""Checks the in-test FPP peer's answers against FPP's own REST API
description (tests/fixtures/fpp/openapi.json) with openapi-core, and
against the shape of upstream's recorded answers with jsonschema.

FPP's published schemas say little more than "an object" or "an array", so
every answer is also checked against a schema derived from upstream's own
example for that endpoint (the example's keys are required, with their JSON
types, recursively); `/api/fppd/status`, which the description gives no body
for, is checked against a real fppd answer (tests/fixtures/fpp/fppd_status.json)
after every playback control, since the peer rewrites it as fppd would.

Usage: fpp_schema_check.py BASE_URL FIXTURES_DIR. Prints a JSON report;
exits 1 if any answer does not conform.
"""

import json
import sys
import urllib.error
import urllib.request

import jsonschema
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

BASE, FIXTURES = sys.argv[1].rstrip("/"), sys.argv[2]
SPEC = json.load(open(f"{FIXTURES}/fpp/openapi.json"))
SPEC["servers"] = [{"url": BASE}]
STATUS = json.load(open(f"{FIXTURES}/fpp/fppd_status.json"))
OPENAPI = OpenAPI.from_dict(SPEC)


def shape(v):
    """A JSON Schema that every value shaped like `v` satisfies."""
    if isinstance(v, dict):
        return {"type": "object", "required": sorted(v), "properties": {k: shape(x) for k, x in v.items()}}
    if isinstance(v, list):
        return {"type": "array", "items": shape(v[0])} if v else {"type": "array"}
    if isinstance(v, bool):
        return {"type": "boolean"}
    if isinstance(v, (int, float)):
        return {"type": "number"}
    if isinstance(v, str):
        return {"type": "string"}
    return {}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method.upper())
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read()


checked, errors = [], []


def check(method, path, pattern, body=None, status_shape=False):
    code, ctype, raw = call(method, path, body)
    what = f"{method.upper()} {path} -> {code}"
    checked.append(what)
    op = SPEC["paths"].get(pattern, {}).get(method)
    if op is None:
        errors.append(f"{what}: FPP's API description has no {method.upper()} {pattern}")
        return None
    documented = op.get("responses", {}).get(str(code))
    if documented is None:
        errors.append(f"{what}: status {code} is not one FPP documents for {pattern} ({sorted(op.get('responses', {}))})")
        return None
    content = documented.get("content", {})
    if content and ctype not in content:
        errors.append(f"{what}: answered {ctype}, FPP documents {sorted(content)}")
        return None
    request = MockRequest(BASE, method, path, path_pattern=pattern, data=None if body is None else json.dumps(body).encode())
    response = MockResponse(raw, status_code=code, content_type=ctype)
    try:
        OPENAPI.validate_response(request, response)
    except Exception as e:  # openapi-core raises one of several validation errors
        errors.append(f"{what}: openapi-core: {type(e).__name__}: {e} {getattr(e, '__cause__', '')}")
    value = json.loads(raw) if ctype == "application/json" else None
    example = content.get("application/json", {}).get("example")
    reference = STATUS if status_shape else example
    if value is not None and reference is not None:
        for err in jsonschema.Draft7Validator(shape(reference)).iter_errors(value):
            errors.append(f"{what}: not shaped like upstream's {'recorded status' if status_shape else 'example'}: {err.message} at {list(err.absolute_path)}")
    return value


def status():
    check("get", "/api/fppd/status", "/api/fppd/status", status_shape=True)


status()
playlists = check("get", "/api/playlists", "/api/playlists") or []
check("get", "/api/playlists/playable", "/api/playlists/playable")
check("get", "/api/playlists/validate", "/api/playlists/validate")
name = playlists[0] if playlists else "Playlist_1"
check("get", f"/api/playlist/{name}", "/api/playlist/{PlaylistName}")
upload = SPEC["paths"]["/api/playlist/{PlaylistName}"]["post"]["responses"]["200"]["content"]["application/json"]["example"]
check("post", "/api/playlist/Uploaded", "/api/playlist/{PlaylistName}", body=upload)
check("get", f"/api/playlist/{name}/start", "/api/playlist/{PlaylistName}/start")
status()
check("get", f"/api/playlist/{name}/start/true", "/api/playlist/{PlaylistName}/start/{Repeat}")
status()
check("post", "/api/command", "/api/command", body={"command": "Next Playlist Item", "args": []})
status()
for action in ["pause", "resume", "stopgracefully", "stopgracefullyafterloop", "stop"]:
    check("get", f"/api/playlists/{action}", f"/api/playlists/{action}")
    status()
check("get", "/api/configfile", "/api/configfile")
check("get", "/api/configfile/schedule.json", "/api/configfile/**")
check("post", "/api/configfile/fuzz.json", "/api/configfile/**", body={"a": 1})
schedule = check("get", "/api/schedule", "/api/schedule")
check("post", "/api/schedule", "/api/schedule", body=schedule)
check("post", "/api/schedule/reload", "/api/schedule/reload")
check("get", "/api/fppd/multiSyncSystems", "/api/fppd/multiSyncSystems")

print(json.dumps({"checked": checked, "errors": errors}, indent=1))
sys.exit(1 if errors else 0)
