"""The digest benchmark's plain SMTP sink (bench/digests.py) takes what Django's SMTP backend
sends, as a mail server would: every message of a kept connection counted once, whatever its
body holds (a line that is a lone dot, long lines), and nothing counted before its end."""

import multiprocessing
import socket
import time

from django.core import mail
from django.core.mail import EmailMessage

from bench import digests
from tests.servers import free_port


def started_sink(port: int):
    received, ready = multiprocessing.Value("i", 0), multiprocessing.Event()
    sink = multiprocessing.Process(
        target=digests._plain_sink_on, args=(received, ready, port), daemon=True
    )
    sink.start()
    assert ready.wait(10), "the sink did not start"
    return sink, received


def test_each_message_of_a_kept_connection_is_counted_once():
    port = free_port(8900, 8999)
    sink, received = started_sink(port)
    try:
        connection = mail.get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
        )
        body = ".a line starting with a dot\n.\nnot the end\n" + "x" * 200_000
        messages = [
            EmailMessage(f"Digest {n}", body, "alerts@example.org", [f"s{n}@example.org"])
            for n in range(3)
        ]
        assert connection.send_messages(messages) == 3
        assert received.value == 3
        # The control: a message whose end has not come is not counted.
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.recv(100)
            for command in (b"EHLO x", b"MAIL FROM:<a@example.org>", b"RCPT TO:<b@example.org>"):
                client.sendall(command + b"\r\n")
                assert client.recv(200).startswith(b"250")
            client.sendall(b"DATA\r\n")
            assert client.recv(200).startswith(b"354")
            client.sendall(b"Subject: half\r\n\r\nnot ended\r\n")
            time.sleep(0.3)
            assert received.value == 3
            client.sendall(b".\r\n")
            assert client.recv(200).startswith(b"250")
        assert received.value == 4
    finally:
        sink.terminate()
        sink.join(10)
