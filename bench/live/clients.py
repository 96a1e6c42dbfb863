"""The benchmark's clients: students as python-socketio AsyncClients (many per worker process),
and the teacher who sends a chat message every 100 ms.

Times are `time.time()` on one machine, so a send in one process and a receipt in another
compare directly. Each chat text carries its sequence number; latency = receipt - send.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from datetime import datetime

import aiohttp
import socketio

NAMESPACE = "/live"
HEARTBEAT_SECONDS = 15
SEQUENCE = re.compile(r"bench (\d+)")
CONNECTS_AT_ONCE = 50  # a class arriving at once, but not 2,000 handshakes in the same millisecond


def student_worker(urls, tokens, session_id, go_home, results, connect_timeout=120.0):
    """Process entry: connect `tokens` students (spread over `urls`), join, listen, report.

    `go_home` (a multiprocessing.Event) ends the lesson; `results` (a Queue) gets one dict.
    """
    results.put(asyncio.run(_students(urls, tokens, session_id, go_home, connect_timeout)))


async def _students(urls, tokens, session_id, go_home, connect_timeout):
    connector = aiohttp.TCPConnector(limit=0)
    http = aiohttp.ClientSession(connector=connector)
    receipts: list[tuple[str, float, float]] = []
    joined: list[tuple[float, float]] = []
    failures: list[str] = []
    clients: list[socketio.AsyncClient] = []
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

    async def attend(index: int, token: str):
        client = socketio.AsyncClient(reconnection=False, http_session=http, handle_sigint=False)

        @client.on("chat", namespace=NAMESPACE)
        def on_chat(message):
            # `at` is when the server stored the message: it splits the latency in two.
            stored = datetime.fromisoformat(message["at"]).timestamp() if message.get("at") else float("nan")
            receipts.append((message.get("text_html", ""), time.time(), stored))

        async with gate:
            started = time.time()
            try:
                for attempt in range(3):  # a phone retries a refused handshake, so do we
                    try:
                        await client.connect(
                            urls[index % len(urls)],
                            auth={"token": token},
                            transports=["websocket"],
                            namespaces=[NAMESPACE],
                            wait_timeout=connect_timeout,
                        )
                        break
                    except socketio.exceptions.ConnectionError:
                        if attempt == 2:
                            raise
                        await asyncio.sleep(1 + attempt)
                answer = await client.call("join", {"session_id": session_id}, namespace=NAMESPACE, timeout=60)
            except Exception as error:  # noqa: BLE001 - a failed student is counted, not fatal
                failures.append(f"{type(error).__name__}: {error}")
                return
            if not answer or not answer.get("ok"):
                failures.append(f"join refused: {answer}")
                return
            joined.append((started, time.time()))
            clients.append(client)

    async def heartbeats():
        # Each client keeps its own 15 s rhythm from a random phase, as browsers do.
        phases = {}
        while not go_home.is_set():
            now = time.monotonic()
            for client in list(clients):
                due = phases.setdefault(id(client), now + random.uniform(0, HEARTBEAT_SECONDS))
                if now >= due and client.connected:
                    phases[id(client)] = due + HEARTBEAT_SECONDS
                    await client.emit("heartbeat", {"session_id": session_id}, namespace=NAMESPACE)
            await asyncio.sleep(0.5)

    beat = asyncio.create_task(heartbeats())
    arrivals = [asyncio.create_task(attend(i, token)) for i, token in enumerate(tokens)]
    while not go_home.is_set():
        await asyncio.sleep(0.2)
    beat.cancel()
    late = [task for task in arrivals if not task.done()]
    for task in late:  # still not in when the lesson ended: counted as not joined
        task.cancel()
    await asyncio.gather(*arrivals, return_exceptions=True)
    failures.extend(["still joining at the end"] * len(late))
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    await http.close()
    parsed = []
    for text, at, stored in receipts:
        match = SEQUENCE.search(text)
        if match:
            parsed.append((int(match.group(1)), at, stored))
    return {
        "joined": joined,
        "failures": failures[:5],
        "failed": len(failures),
        "receipts": parsed,
        "cpu_seconds": time.process_time(),  # the harness's own CPU: is it the bottleneck?
    }


async def teach(url, token, session_id, seconds, before_chat, interval=0.1):
    """Join as the teacher (first, as in a real lesson), run `before_chat` (in a thread: it waits
    for the class), then send `bench <n>` every `interval` s; return ({n: send time}, refusals)."""
    client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
    await client.connect(url, auth={"token": token}, transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=60)
    answer = await client.call("join", {"session_id": session_id}, namespace=NAMESPACE, timeout=60)
    if not answer or not answer.get("ok"):
        raise RuntimeError(f"the teacher could not join: {answer}")
    await asyncio.to_thread(before_chat)
    refusals: list = []
    sent: dict[int, float] = {}
    start = time.monotonic()
    sequence = 0
    while time.monotonic() - start < seconds:
        sent[sequence] = time.time()
        await client.emit(
            "chat",
            {"session_id": session_id, "text": f"bench {sequence}"},
            namespace=NAMESPACE,
            callback=lambda answer: answer.get("ok") or refusals.append(answer),
        )
        sequence += 1
        next_at = start + sequence * interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    await asyncio.sleep(2)  # let the last messages arrive before the students go home
    await client.disconnect()
    return sent, refusals
