#!/usr/bin/env python3
"""An ESPHome device peer built on ESPHome's own published artefacts.

No firmware can run here, so this speaks the device side of the native API
with aioesphomeapi's compiled protobuf modules (`api_pb2`,
`MESSAGE_TYPE_TO_PROTO`), plaintext or Noise (`Noise_NNpsk0_25519_ChaChaPoly_SHA256`
via the `noiseprotocol` package, the same one aioesphomeapi uses), plus an
espota2 (v1/v2) receiver and, optionally, an mDNS advertisement bound to one
address. It is proven against the real clients (aioesphomeapi's APIClient,
`esphome logs`, `esphome upload`) before homedeck is tested against it.

It prints one line `READY api=PORT ota=PORT` on stdout once listening.
SIGUSR1 simulates a reboot: every API connection drops and the API port
refuses connections for --reboot-ms.
"""

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import secrets
import signal
import socket
import struct
import sys
import time

from aioesphomeapi import api_pb2
from aioesphomeapi.core import MESSAGE_TYPE_TO_PROTO
from noise.connection import NoiseConnection

TYPE_OF = {cls: t for t, cls in MESSAGE_TYPE_TO_PROTO.items()}
LEVEL_LETTER = {1: "E", 2: "W", 3: "I", 4: "C", 5: "D", 6: "V", 7: "VV"}
LEVEL_COLOUR = {1: "1;31", 2: "0;33", 3: "0;32", 4: "0;35", 5: "0;36", 6: "0;37", 7: "0;38"}


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def log_text(level, tag, text):
    return f"\033[{LEVEL_COLOUR[level]}m[{LEVEL_LETTER[level]}][{tag}]: {text}\033[0m"


class Device:
    def __init__(self, a):
        self.a = a
        self.version = a.version
        self.rebooting_until = 0.0
        self.conns = set()
        self.boots = 1
        self.psk = None
        if a.key:
            import base64

            self.psk = base64.b64decode(a.key)
            assert len(self.psk) == 32

    def note(self, event, **kw):
        kw["event"] = event
        print(json.dumps(kw), flush=True)

    # ── native API ──
    async def serve_api(self, reader, writer):
        if time.monotonic() < self.rebooting_until:
            writer.close()
            return
        conn = Conn(self, reader, writer)
        self.conns.add(conn)
        try:
            await conn.run()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except Exception as e:  # a peer bug must show in the test output
            self.note("api_error", error=repr(e))
        finally:
            self.conns.discard(conn)
            conn.close()

    def reboot(self, new_version=None):
        self.note("reboot", version=new_version or self.version)
        for c in list(self.conns):
            c.close()
        self.rebooting_until = time.monotonic() + self.a.reboot_ms / 1000
        if new_version:
            self.version = new_version
        self.boots += 1

    # ── espota2 receiver ──
    async def serve_ota(self, reader, writer):
        try:
            await Ota(self, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError, OSError) as e:
            self.note("ota_dropped", error=repr(e))
        finally:
            writer.close()


class Conn:
    def __init__(self, dev, reader, writer):
        self.dev, self.r, self.w = dev, reader, writer
        self.noise = None
        self.closed = False
        self.log_task = None
        self.ping_task = None
        self.pings_unanswered = 0

    def close(self):
        if not self.closed:
            self.closed = True
            for t in (self.log_task, self.ping_task):
                if t:
                    t.cancel()
            try:
                self.w.close()
            except Exception:
                pass

    async def handshake(self):
        first = await self.r.readexactly(1)
        if self.dev.psk is None:
            if first != b"\x00":
                # What ESPHome's plaintext helper does: say so, then close.
                self.w.write(b"\x00" + b"Bad indicator byte")
                await self.w.drain()
                raise ConnectionError("client spoke noise to a plaintext device")
            return first
        if first != b"\x01":
            self.w.write(self.noise_frame(b"\x01Bad indicator byte"))
            await self.w.drain()
            raise ConnectionError("client spoke plaintext to an encrypted device")
        n = struct.unpack(">H", await self.r.readexactly(2))[0]
        hello = await self.r.readexactly(n)
        self.w.write(self.noise_frame(b"\x01" + self.dev.a.name.encode() + b"\x00" + self.dev.a.mac.encode() + b"\x00"))
        proto = NoiseConnection.from_name(b"Noise_NNpsk0_25519_ChaChaPoly_SHA256")
        proto.set_as_responder()
        proto.set_psks(self.dev.psk)
        proto.set_prologue(b"NoiseAPIInit" + struct.pack(">H", len(hello)) + hello)
        proto.start_handshake()
        if await self.r.readexactly(1) != b"\x01":
            raise ConnectionError("bad handshake indicator")
        n = struct.unpack(">H", await self.r.readexactly(2))[0]
        frame = await self.r.readexactly(n)
        try:
            if not frame or frame[0] != 0:
                raise ValueError("bad handshake frame")
            proto.read_message(frame[1:])
        except Exception:
            self.w.write(self.noise_frame(b"\x01Handshake MAC failure"))
            await self.w.drain()
            self.dev.note("handshake_failed")
            raise ConnectionError("handshake failed")
        self.w.write(self.noise_frame(b"\x00" + proto.write_message()))
        await self.w.drain()
        self.noise = proto
        return None

    @staticmethod
    def noise_frame(body):
        return b"\x01" + struct.pack(">H", len(body)) + body

    def encode(self, msg):
        t = TYPE_OF[type(msg)]
        data = msg.SerializeToString()
        if self.noise is None:
            return b"\x00" + varint(len(data)) + varint(t) + data
        return self.noise_frame(self.noise.encrypt(struct.pack(">HH", t, len(data)) + data))

    async def send(self, *msgs):
        if self.closed:
            raise ConnectionError("closed")
        self.w.write(b"".join(self.encode(m) for m in msgs))
        await self.w.drain()

    async def read_varint(self, first=None):
        n, shift = 0, 0
        for i in range(4):
            b = first[0] if (first is not None and i == 0) else (await self.r.readexactly(1))[0]
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n
        raise ConnectionError("varint too long")

    async def read_msg(self, first=None):
        if self.noise is None:
            if first is None:
                if await self.r.readexactly(1) != b"\x00":
                    raise ConnectionError("bad indicator")
            n = await self.read_varint()
            t = await self.read_varint()
            return t, await self.r.readexactly(n)
        if await self.r.readexactly(1) != b"\x01":
            raise ConnectionError("bad indicator")
        n = struct.unpack(">H", await self.r.readexactly(2))[0]
        plain = self.noise.decrypt(await self.r.readexactly(n))
        t, _ = struct.unpack(">HH", plain[:4])
        return t, plain[4:]

    async def run(self):
        first = await self.handshake()
        while True:
            t, data = await self.read_msg(first)
            first = None
            cls = MESSAGE_TYPE_TO_PROTO.get(t)
            msg = cls.FromString(data) if cls else None
            await self.handle(t, msg)

    async def handle(self, t, msg):
        a = self.dev.a
        if isinstance(msg, api_pb2.HelloRequest):
            self.dev.note("hello", client=msg.client_info)
            await self.send(api_pb2.HelloResponse(api_version_major=1, api_version_minor=12,
                                                  server_info=f"{a.name} (esphome v{self.dev.version})", name=a.name))
        elif isinstance(msg, api_pb2.AuthenticationRequest):
            await self.send(api_pb2.AuthenticationResponse(invalid_password=False))
        elif isinstance(msg, api_pb2.DeviceInfoRequest):
            await self.send(api_pb2.DeviceInfoResponse(
                name=a.name, friendly_name=a.friendly_name or a.name, mac_address=a.mac.upper(),
                esphome_version=self.dev.version, compilation_time="Jan  1 2026, 00:00:00",
                model=a.board, manufacturer="Espressif" if a.platform.startswith("ESP") else a.platform,
                project_name=a.project_name, project_version=a.project_version,
                api_encryption_supported=self.dev.psk is not None))
        elif isinstance(msg, api_pb2.ListEntitiesRequest):
            await self.send(
                api_pb2.ListEntitiesSensorResponse(object_id="uptime", key=1001, name="Uptime", unit_of_measurement="s"),
                api_pb2.ListEntitiesSwitchResponse(object_id="relay", key=1002, name="Relay"),
                api_pb2.ListEntitiesBinarySensorResponse(object_id="button", key=1003, name="Button"),
                api_pb2.ListEntitiesDoneResponse())
        elif isinstance(msg, api_pb2.SubscribeLogsRequest):
            self.dev.note("subscribe_logs", level=msg.level)
            self.log_task = asyncio.ensure_future(self.stream_logs(msg.level or 3))
            if a.ping_ms:
                self.ping_task = asyncio.ensure_future(self.ping_loop())
        elif isinstance(msg, api_pb2.PingRequest):
            await self.send(api_pb2.PingResponse())
        elif isinstance(msg, api_pb2.PingResponse):
            self.pings_unanswered = 0
            self.dev.note("ping_answered")
        elif isinstance(msg, api_pb2.GetTimeRequest):
            await self.send(api_pb2.GetTimeResponse(epoch_seconds=int(time.time())))
        elif isinstance(msg, api_pb2.DisconnectRequest):
            await self.send(api_pb2.DisconnectResponse())
            self.dev.note("disconnect")
            raise ConnectionError("client said goodbye")
        elif isinstance(msg, api_pb2.SubscribeStatesRequest):
            pass

    async def ping_loop(self):
        """ESPHome pings an idle client and drops it when pings go unanswered."""
        while not self.closed:
            await asyncio.sleep(self.dev.a.ping_ms / 1000)
            if self.pings_unanswered >= 3:
                self.dev.note("ping_timeout")
                self.close()
                return
            self.pings_unanswered += 1
            await self.send(api_pb2.PingRequest())

    async def stream_logs(self, max_level):
        a = self.dev.a
        lines = [
            (3, "app", f"Running through setup() (boot {self.dev.boots})"),
            (4, "wifi", "Connected to testnet"),
            (5, "sensor", "'Uptime': Sending state 12.00000 s with 0 decimals of accuracy"),
            (2, "dht", "Requesting data failed"),
            (1, "i2c", "Bus error on SDA"),
            (6, "api.connection", "Client connected"),
            (7, "scheduler", "Items: 4"),
        ]
        if a.flood:
            msgs = []
            for i in range(a.flood):
                lvl, tag, text = lines[i % len(lines)]
                if lvl <= max_level:
                    msgs.append(api_pb2.SubscribeLogsResponse(level=lvl, message=log_text(lvl, tag, f"{text} #{i}").encode()))
            batch = 256
            for i in range(0, len(msgs), batch):
                await self.send(*msgs[i:i + batch])
            self.dev.note("flood_done", lines=len(msgs))
        i = 0
        while True:
            lvl, tag, text = lines[i % len(lines)]
            i += 1
            if lvl <= max_level:
                await self.send(api_pb2.SubscribeLogsResponse(level=lvl, message=log_text(lvl, tag, f"{text} #{i}").encode()))
            await asyncio.sleep(a.log_ms / 1000)


class Ota:
    """The device side of espota2, as esphome/components/ota/ota_esphome.cpp runs it."""

    def __init__(self, dev, reader, writer):
        self.dev, self.r, self.w = dev, reader, writer

    async def put(self, *b):
        self.w.write(bytes(b))
        await self.w.drain()

    async def run(self):
        a = self.dev.a
        if await self.r.readexactly(5) != bytes([0x6C, 0x26, 0xF7, 0x5C, 0x45]):
            return await self.put(0x80)
        await self.put(0x00, a.ota_version)
        features = (await self.r.readexactly(1))[0]
        compress = bool(features & 0x01) and a.ota_compression
        extended = bool(features & 0x04)
        if extended:
            await self.put(0x48, 0x01 if compress else 0x00)
        else:
            await self.put(0x46 if compress else 0x40)
        if a.ota_password:
            sha = a.ota_auth == "sha256" and features & 0x02
            h, code, size = (hashlib.sha256, 0x02, 64) if sha else (hashlib.md5, 0x01, 32)
            nonce = secrets.token_hex(size // 2)
            self.w.write(bytes([code]) + nonce.encode())
            await self.w.drain()
            cnonce = (await self.r.readexactly(size)).decode()
            result = (await self.r.readexactly(size)).decode()
            want = h((a.ota_password + nonce + cnonce).encode()).hexdigest()
            if result != want:
                self.dev.note("ota_auth_failed")
                return await self.put(0x82)
        await self.put(0x41)
        if extended:
            ota_type = (await self.r.readexactly(1))[0]
            if ota_type != 0:
                return await self.put(0x8E)
        size = struct.unpack(">I", await self.r.readexactly(4))[0]
        if size > a.ota_max_size:
            return await self.put(0x89)
        await self.put(0x42)
        md5 = (await self.r.readexactly(32)).decode()
        await self.put(0x43)
        got = bytearray()
        acked = 0
        while len(got) < size:
            chunk = await self.r.read(min(1024, size - len(got)))
            if not chunk:
                raise ConnectionError("client closed mid-upload")
            got += chunk
            if a.ota_fault == "drop" and len(got) >= size // 2:
                self.dev.note("ota_fault_drop", received=len(got))
                self.w.transport.abort()
                return
            if a.ota_fault == "flash" and len(got) >= size // 2:
                return await self.put(0x83)
            # ESPHome acks every 8 KiB block written, and the last partial one.
            while a.ota_version >= 2 and (acked + 8192 <= len(got) or (len(got) == size and acked < size)):
                await self.put(0x47)
                acked += 8192
        if a.ota_fault == "corrupt":
            got[len(got) // 2] ^= 0xFF
        if hashlib.md5(got).hexdigest() != md5:
            self.dev.note("ota_md5_mismatch")
            return await self.put(0x8B)
        await self.put(0x44)
        image = gzip.decompress(bytes(got)) if compress else bytes(got)
        await self.put(0x45)
        try:
            ack = await asyncio.wait_for(self.r.readexactly(1), 5)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError):
            ack = b""
        sha = hashlib.sha256(image).hexdigest()
        self.dev.note("ota_done", size=len(image), sha256=sha, compressed=compress, ack=ack.hex())
        if a.received_file:
            with open(a.received_file, "wb") as f:
                f.write(image)
        new_version = None if a.ota_keep_version else version_in(image)
        self.dev.reboot(new_version)


def version_in(image):
    """The firmware's version string, as the test firmware images embed it."""
    marker = b"ESPHOME_VERSION="
    i = image.find(marker)
    if i < 0:
        return None
    end = image.find(b"\0", i)
    return image[i + len(marker):end if end > 0 else None].decode(errors="replace")


async def advertise(dev, ip, api_port):
    from zeroconf import IPVersion, ServiceInfo
    from zeroconf.asyncio import AsyncZeroconf

    a = dev.a
    zc = AsyncZeroconf(interfaces=[ip], ip_version=IPVersion.V4Only)
    props = {"friendly_name": a.friendly_name or a.name, "version": dev.version, "mac": a.mac.replace(":", "").lower(),
             "platform": a.platform, "board": a.board, "network": "wifi"}
    if dev.psk is not None:
        props["api_encryption"] = "Noise_NNpsk0_25519_ChaChaPoly_SHA256"
    info = ServiceInfo("_esphomelib._tcp.local.", f"{a.name}._esphomelib._tcp.local.", port=api_port,
                       addresses=[socket.inet_aton(ip)], properties=props, server=f"{a.name}.local.")
    await zc.async_register_service(info)
    return zc


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", default="peer")
    p.add_argument("--friendly-name", default="")
    p.add_argument("--mac", default="AC:BC:32:89:0E:A9")
    p.add_argument("--version", default="2025.6.0")
    p.add_argument("--platform", default="ESP32")
    p.add_argument("--board", default="esp32dev")
    p.add_argument("--project-name", default="")
    p.add_argument("--project-version", default="")
    p.add_argument("--key", default="", help="base64 Noise PSK; empty = plaintext")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--api-port", type=int, default=0)
    p.add_argument("--ota-port", type=int, default=0)
    p.add_argument("--ota-password", default="")
    p.add_argument("--ota-auth", choices=["sha256", "md5"], default="sha256")
    p.add_argument("--ota-version", type=int, default=2)
    p.add_argument("--ota-compression", action="store_true")
    p.add_argument("--ota-fault", choices=["none", "drop", "flash", "corrupt"], default="none")
    p.add_argument("--ota-keep-version", action="store_true", help="boot back into the old firmware")
    p.add_argument("--ota-max-size", type=int, default=4 * 1024 * 1024)
    p.add_argument("--received-file", default="")
    p.add_argument("--reboot-ms", type=int, default=300)
    p.add_argument("--log-ms", type=int, default=200)
    p.add_argument("--flood", type=int, default=0, help="send this many log lines at once after subscribing")
    p.add_argument("--ping-ms", type=int, default=0, help="ping the client this often (0 = never)")
    p.add_argument("--mdns-ip", default="", help="advertise _esphomelib._tcp on this address only")
    a = p.parse_args()
    dev = Device(a)
    api = await asyncio.start_server(dev.serve_api, a.host, a.api_port)
    ota = await asyncio.start_server(dev.serve_ota, a.host, a.ota_port)
    api_port = api.sockets[0].getsockname()[1]
    ota_port = ota.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, dev.reboot)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    zc = await advertise(dev, a.mdns_ip, api_port) if a.mdns_ip else None
    print(f"READY api={api_port} ota={ota_port} pid={os.getpid()}", flush=True)
    await stop.wait()
    if zc:
        await zc.async_close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
