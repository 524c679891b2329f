"""Drive homedeck's in-test WLED peer with python-wled, the upstream client.

Usage: wled_client_check.py HOST  (the peer listens on HOST:80, as python-wled
always connects to port 80). Prints one JSON object with what the client saw.
"""
import asyncio
import json
import sys

import aiohttp
from wled import WLED


async def main(host: str) -> None:
    out: dict = {}
    async with WLED(host) as w:
        d = await w.update()
        out["version"] = str(d.info.version)
        out["name"] = d.info.name
        out["leds"] = d.info.leds.count
        out["effects"] = len(d.effects)
        out["palettes"] = len(d.palettes)
        out["presets"] = sorted(d.presets.keys())
        out["playlists"] = sorted(d.playlists.keys())
        out["segments"] = len(d.state.segments)

        await w.master(on=False)
        out["off"] = (await w.update()).state.on
        await w.master(on=True, brightness=42, transition=3)
        d = await w.update()
        out["on_bri"] = [d.state.on, d.state.brightness]

        effect = d.effects[1].name if 1 in d.effects else None
        await w.segment(0, color_primary=(1, 2, 3), effect=1, speed=99, intensity=77)
        seg = (await w.update()).state.segments[0]
        out["segment"] = [list(seg.color.primary)[:3], seg.effect_id, seg.speed, seg.intensity, effect]

        if d.presets:
            pid = min(d.presets.keys())
            await w.preset(pid)
            out["preset_applied"] = [pid, (await w.update()).state.preset_id]
        if d.playlists:
            plid = min(d.playlists.keys())
            await w.playlist(plid)
            out["playlist_started"] = [plid, (await w.update()).state.playlist_id]

        # Live updates over /ws: a change posted by another client arrives.
        if d.info.websocket is None:
            out["ws_brightness"] = "unsupported"
            print(json.dumps(out))
            return
        await w.connect()
        seen: asyncio.Queue = asyncio.Queue()
        listener = asyncio.create_task(w.listen(lambda dev: seen.put_nowait(dev.state.brightness)))
        async with aiohttp.ClientSession() as s:
            await s.post(f"http://{host}/json/state", json={"bri": 201})
        bris = []
        while 201 not in bris:
            bris.append(await asyncio.wait_for(seen.get(), timeout=5))
        out["ws_brightness"] = 201
        listener.cancel()
        await w.disconnect()
    print(json.dumps(out))


asyncio.run(main(sys.argv[1]))
