"""Keep-alive connections that go quiet: after half a second idle a session gives up its coroutine
and the connection is parked (held with its socket and little else). A parked connection answers
its next request as any other, still times out, is still closed by a drain and at the connection
cap, and a client closing it is noticed."""
import fcntl
import json
import socket
import struct
import termios
import time

from harness import FakeUpstream, Gateway, check, metric, run_tests

CHAT = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
REQUEST = (f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           f"Content-Length: {len(CHAT)}\r\n\r\n{CHAT}").encode()


def read_answers(s, n):
    """`n` answers with a Content-Length from `s` (pipelined answers may share a read); fewer when
    the server closed first."""
    out, answers = b"", []
    while len(answers) < n:
        if b"\r\n\r\n" in out:
            head, rest = out.split(b"\r\n\r\n", 1)
            length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                      if l.lower().startswith(b"content-length")]
            if length and len(rest) >= length[0]:
                answers.append(head + b"\r\n\r\n" + rest[:length[0]])
                out = rest[length[0]:]
                continue
        piece = s.recv(65536)
        if not piece:
            break
        out += piece
    return answers


def read_answer(s):
    """One answer with a Content-Length from `s`; b"" when the server closed first."""
    answers = read_answers(s, 1)
    return answers[0] if answers else b""


def unread_bytes(s):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


def wait_for(what, condition, seconds=5.0):
    deadline = time.time() + seconds
    while not condition():
        check(time.time() < deadline, f"never: {what}")
        time.sleep(0.05)


def connections_answered_once(gw, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
        s.sendall(REQUEST)
        check(read_answer(s).startswith(b"HTTP/1.1 200"), "the first request was not answered")
        socks.append(s)
    return socks


def with_gateway(env=None):
    def wrap(test):
        def run():
            fake = FakeUpstream(models=["m"], name="A")
            gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "THREADS": "2", **(env or {})})
            try:
                gw.wait_for_models(["m"])
                test(gw, fake)
            finally:
                check(gw.stop() == 0, gw.output())
                fake.stop()
        run.__name__ = test.__name__
        return run
    return wrap


@with_gateway()
def test_a_parked_connection_answers_its_next_request(gw, fake):
    socks = connections_answered_once(gw, 20)
    wait_for("the idle connections parked", lambda: metric(gw, "switchboard_parked_connections") >= 20)
    for s in socks:  # the next request on each, and a third straight after it (not parked between)
        for _ in range(2):
            s.sendall(REQUEST)
            check(read_answer(s).startswith(b"HTTP/1.1 200"), "a parked connection was not answered")
    check(metric(gw, "switchboard_parked_connections") <= 1, "woken connections still counted parked")
    for s in socks:
        s.close()
    wait_for("the closed connections gone", lambda: metric(gw, "switchboard_open_connections") <= 1)
    check(metric(gw, "switchboard_parked_connections") <= 1, "closed connections still counted parked")


@with_gateway()
def test_a_request_arriving_in_pieces_at_a_parked_connection(gw, fake):
    [s] = connections_answered_once(gw, 1)
    wait_for("parked", lambda: metric(gw, "switchboard_parked_connections") >= 1)
    s.sendall(REQUEST[:10])  # wakes it with a part of a head
    time.sleep(0.05)
    s.sendall(REQUEST[10:] + REQUEST)  # the rest, and a pipelined second request
    answers = read_answers(s, 2)
    check(len(answers) == 2, f"{len(answers)} of the two requests answered")
    check(all(a.startswith(b"HTTP/1.1 200") for a in answers), answers)
    s.close()


@with_gateway({"CLIENT_IDLE_TIMEOUT": "1.5"})
def test_a_parked_connection_still_times_out(gw, fake):
    [s] = connections_answered_once(gw, 1)
    started = time.time()
    wait_for("parked", lambda: metric(gw, "switchboard_parked_connections") >= 1)
    s.settimeout(5)
    check(s.recv(1) == b"", "the server did not close the idle connection")
    took = time.time() - started
    check(1.3 < took < 3.0, f"closed after {took:.2f} s, not CLIENT_IDLE_TIMEOUT's 1.5 s")
    wait_for("no connection left", lambda: metric(gw, "switchboard_open_connections") <= 1)
    check(metric(gw, "switchboard_parked_connections") == 0, "a closed connection counted parked")


@with_gateway()
def test_a_client_closing_a_parked_connection_is_noticed(gw, fake):
    socks = connections_answered_once(gw, 5)
    wait_for("parked", lambda: metric(gw, "switchboard_parked_connections") >= 5)
    for s in socks:
        s.close()
    wait_for("the sessions ended", lambda: metric(gw, "switchboard_open_connections") <= 1)
    check(metric(gw, "switchboard_parked_connections") == 0, "closed connections counted parked")


def test_a_drain_closes_parked_connections_at_once():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url})
    try:
        gw.wait_for_models(["m"])
        socks = connections_answered_once(gw, 5)
        wait_for("parked", lambda: metric(gw, "switchboard_parked_connections") >= 5)
        started = time.time()
        check(gw.stop() == 0, gw.output())
        check(time.time() - started < 3, "parked connections held the drain up")
        for s in socks:
            s.settimeout(2)
            check(s.recv(1) == b"", "a parked connection was left open")
    finally:
        gw.stop()
        fake.stop()


def test_at_the_connection_cap_a_parked_connection_makes_room():
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "THREADS": "1", "MAX_CONNECTIONS": "3"})
    try:
        gw.wait_for_models(["m"])
        socks = connections_answered_once(gw, 2)  # (reading the metric is the third connection)
        wait_for("parked", lambda: metric(gw, "switchboard_parked_connections") >= 2)
        socks += connections_answered_once(gw, 1)  # at the cap now, this one not parked yet
        [newcomer] = connections_answered_once(gw, 1)  # answered: the longest idle made room
        socks[0].settimeout(2)
        check(socks[0].recv(1) == b"", "the longest idle connection was not the one closed")
        socks[2].sendall(REQUEST)
        check(read_answer(socks[2]).startswith(b"HTTP/1.1 200"), "a recent connection was closed")
        newcomer.close()
        for s in socks:
            s.close()
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


def test_a_client_resetting_while_its_answer_cannot_be_written():
    """The write fails and the connection ends while the completion of the next request's wait
    still sits in the queue (epoll reports the reset to both): that completion must not touch the
    connection (a use after free, caught by the sanitizer build)."""
    big = "m+chunks:800000"  # about 10 MB: more than the socket buffers hold
    fake = FakeUpstream(models=["m"], name="A")
    gw = Gateway({"OPENAI_API_BASE_URLS": fake.url, "THREADS": "1",
                  "OPENAI_API_CONFIGS": json.dumps({"0": {"model_ids": [big, "m"]}})})
    try:
        gw.wait_for_models([big])
        body = json.dumps({"model": big, "messages": [{"role": "user", "content": "hi"}]})
        for _ in range(3):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", gw.port))
            s.sendall((f"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                       f"{body}").encode())
            # Unread, the answer fills the client's small buffer: the gateway's write then blocks.
            wait_for("the answer filling the client's buffer", lambda: unread_bytes(s) >= 2048, 10)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()  # a reset
        [s] = connections_answered_once(gw, 1)  # the gateway goes on
        s.close()
        wait_for("the reset connections gone", lambda: metric(gw, "switchboard_open_connections") <= 1)
    finally:
        check(gw.stop() == 0, gw.output())
        fake.stop()


if __name__ == "__main__":
    run_tests([test_a_parked_connection_answers_its_next_request,
               test_a_request_arriving_in_pieces_at_a_parked_connection,
               test_a_parked_connection_still_times_out,
               test_a_client_closing_a_parked_connection_is_noticed,
               test_a_drain_closes_parked_connections_at_once,
               test_at_the_connection_cap_a_parked_connection_makes_room,
               test_a_client_resetting_while_its_answer_cannot_be_written])
