"""Prove the device peer with the real client: aioesphomeapi's APIClient.

usage: esphome_client_check.py PORT KEY|- [WRONG_KEY]
Prints INFO/LOGS/ENTITIES lines, and WRONGKEY <exception class> when a
wrong key is given.
"""
import asyncio
import sys

import aioesphomeapi


async def main():
    port, key = int(sys.argv[1]), sys.argv[2]
    key = None if key == "-" else key
    c = aioesphomeapi.APIClient("127.0.0.1", port, None, noise_psk=key)
    await c.connect(login=True)
    info = await c.device_info()
    print("INFO", info.name, info.esphome_version, info.mac_address, flush=True)
    entities, _ = await c.list_entities_services()
    print("ENTITIES", ",".join(sorted(e.object_id for e in entities)), flush=True)
    got = []
    c.subscribe_logs(lambda m: got.append(m.message), log_level=aioesphomeapi.LogLevel.LOG_LEVEL_VERY_VERBOSE)
    for _ in range(50):
        await asyncio.sleep(0.1)
        if len(got) >= 3:
            break
    print("LOGS", len(got), got[0].decode(errors="replace") if got else "", flush=True)
    await c.disconnect()
    if len(sys.argv) > 3:
        bad = aioesphomeapi.APIClient("127.0.0.1", port, None, noise_psk=sys.argv[3])
        try:
            await bad.connect(login=True)
            print("WRONGKEY accepted")
        except Exception as e:  # the class name is what the test checks
            print("WRONGKEY", type(e).__name__)


asyncio.run(main())
