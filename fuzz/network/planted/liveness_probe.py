#!/usr/bin/env python3
"""A liveness probe over a fresh connection: MQTT 3.1.1 CONNECT, then wait for the CONNACK.

Usage: liveness_probe.py PORT TIMEOUT_S
Exit codes: 0 a CONNACK arrived, 1 the connection is open but nothing answered within TIMEOUT_S
(a hang), 2 the connection was refused or closed (a crash, or no listener).
"""
import os
import socket
import sys
import time


def connect_packet(client_id: bytes) -> bytes:
    variable_header = (
        b"\x00\x04MQTT"  # protocol name
        + b"\x04"  # protocol level 4 (3.1.1)
        + b"\x02"  # connect flags: clean session
        + b"\x00\x3c"  # keep alive 60 s
    )
    payload = len(client_id).to_bytes(2, "big") + client_id
    body = variable_header + payload
    return bytes([0x10, len(body)]) + body  # CONNECT, remaining length (< 128)


def main() -> int:
    port, timeout_s = int(sys.argv[1]), float(sys.argv[2])
    deadline = time.monotonic() + timeout_s
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
    except OSError as error:
        print(f"probe: cannot connect: {error}")
        return 2
    with sock:
        sock.sendall(connect_packet(f"planted-probe-{os.getpid()}".encode()))
        received = b""
        while len(received) < 4:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                print(f"probe: no CONNACK within {timeout_s} s (received {received.hex()})")
                return 1
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(4 - len(received))
            except socket.timeout:
                continue
            except OSError as error:
                print(f"probe: connection failed: {error}")
                return 2
            if not chunk:
                print("probe: connection closed without a CONNACK")
                return 2
            received += chunk
        if received[0] != 0x20:
            print(f"probe: expected a CONNACK, got {received.hex()}")
            return 2
        sock.sendall(b"\xe0\x00")  # DISCONNECT
        print(f"probe: CONNACK return code {received[3]}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
