"""A real django-q2 cluster in a subprocess and a slow SMTP server on loopback, for the crash tests."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {message() if callable(message) else message}")


def log_tail(path, lines=40):
    """The last lines of a subprocess's log, for a failure message."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc})"
    return f"--- last lines of {path} ---\n" + "\n".join(text.splitlines()[-lines:])


class Cluster:
    """`manage.py qcluster` in its own process group, so kill -9 takes the sentinel and every worker. Another
    Python command line in `args` (a web server: gunicorn's master and its workers) is run and killed the same way."""

    def __init__(self, env, log_path, args=("manage.py", "qcluster")):
        self.env, self.log_path, self.args, self.proc = env, log_path, args, None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, *self.args], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


class SlowSMTP(threading.Thread):
    """Answers SMTP on 127.0.0.1, pausing `delay` seconds before accepting each recipient; a message counts
    as delivered only once its DATA was answered 250."""

    def __init__(self, delay):
        super().__init__(daemon=True)
        self.delay, self.delivered, self.recipient_seen = delay, [], threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port, self.stopped = self.sock.getsockname()[1], False

    def run(self):
        while not self.stopped:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            f = conn.makefile("rwb")

            def say(text):
                f.write(text.encode() + b"\r\n")
                f.flush()

            say("220 stub ESMTP")
            while True:
                line = f.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb == b"RCPT":
                    self.recipient_seen.set()
                    time.sleep(self.delay)
                    say("250 ok")
                elif verb == b"DATA":
                    say("354 go on")
                    body = []
                    while (row := f.readline()) not in (b".\r\n", b""):
                        body.append(row)
                    say("250 queued")
                    self.delivered.append(b"".join(body))
                elif verb == b"QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 stub")
        except OSError:
            return  # the client died mid-conversation: nothing was delivered
        finally:
            conn.close()

    def close(self):
        self.stopped = True
        self.sock.close()
