#!/usr/bin/env python3
"""Records one MQTT connection through a loopback TCP proxy, writing each direction's bytes to its
own file (a raw capture `gauntlet decode` reads). Used to make the sample captures in this folder
from real traffic between Mosquitto's clients and a local Mosquitto.

Usage: record_capture.py LISTEN_PORT BROKER_PORT OUT_PREFIX
  writes OUT_PREFIX-client.bin (client -> broker) and OUT_PREFIX-server.bin (broker -> client)
  for the first connection accepted, then exits when it closes.
"""
import socket
import sys
import threading


def pump(src, dst, out):
    with open(out, "wb") as f:
        while True:
            data = src.recv(65536)
            if not data:
                break
            f.write(data)
            dst.sendall(data)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    listen_port, broker_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen_port))
    server.listen(1)
    server.settimeout(30)
    client, _ = server.accept()
    broker = socket.create_connection(("127.0.0.1", broker_port), timeout=30)
    threads = [threading.Thread(target=pump, args=(client, broker, prefix + "-client.bin")),
               threading.Thread(target=pump, args=(broker, client, prefix + "-server.bin"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


if __name__ == "__main__":
    main()
