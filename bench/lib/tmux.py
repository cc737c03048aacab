"""A private tmux server for the benchmarks: launch programs in fixed-size
windows, send keys, read the screen.  Every call spawns a tmux client (a few
milliseconds); callers take their timestamps before the call.  press() puts
bytes straight into a pane's input instead (TIOCSTI), for key latencies: a
tmux client started while trawl's background jobs keep both cores busy can
take 100 ms to run, which is the harness's time, not trawl's."""

import fcntl
import os
import shlex
import subprocess
import termios
import time


class Tmux:
    def __init__(self, sock, width=200, height=50):
        self.sock = sock
        self.width = width
        self.height = height
        if os.path.exists(sock):
            self._run("kill-server", check=False)
            try:
                os.unlink(sock)
            except FileNotFoundError:
                pass
        # A session that never ends holds the server; each program gets a window.
        self._run("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height),
                  "sleep 1000000")
        self._run("set-option", "-g", "remain-on-exit", "off")
        self._run("set-option", "-g", "history-limit", "0")
        size = self._run("display-message", "-p", "-t", "bench:0",
                         "#{window_width}x#{window_height}").strip()
        if size != "%dx%d" % (width, height):
            raise RuntimeError("tmux window is %s, wanted %dx%d" % (size, width, height))

    def _run(self, *args, check=True):
        r = subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           encoding="utf-8", errors="replace")
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def launch(self, argv, env=None, cwd=None):
        """Start argv in a new window (exec'd, so the pane's pid is the program).
        Returns (start time, window id); the time is taken just before the call."""
        parts = ["exec", "env"]
        for k, v in (env or {}).items():
            parts.append("%s=%s" % (k, v))
        parts += list(argv)
        cmd = " ".join(shlex.quote(p) for p in parts)
        if cwd:
            cmd = "cd %s && %s" % (shlex.quote(cwd), cmd)
        t0 = time.time()
        win = self._run("new-window", "-d", "-P", "-F", "#{window_id}", "-t", "bench:",
                        cmd).strip()
        return t0, win

    def alive(self, win):
        out = self._run("list-windows", "-t", "bench", "-F", "#{window_id}", check=False)
        return win in out.split()

    def pid(self, win):
        out = self._run("display-message", "-p", "-t", win, "#{pane_pid}", check=False).strip()
        return int(out) if out.isdigit() else None

    def send(self, win, *keys, literal=False):
        """Send keys; returns (time before, time after) the tmux client ran."""
        args = ["send-keys", "-t", win] + (["-l"] if literal else []) + list(keys)
        t0 = time.time()
        self._run(*args, check=False)
        return t0, time.time()

    def press(self, win, data):
        """Puts data into the input of win's program as if typed (TIOCSTI on the pane's tty;
        root or dev.tty.legacy_tiocsti=1), else sends it with send-keys -l.  Returns
        (time before, how: "tty" or "send-keys")."""
        ttys = self.__dict__.setdefault("_ttys", {})
        if win not in ttys:
            tty = self._run("display-message", "-p", "-t", win, "#{pane_tty}", check=False).strip()
            try:
                ttys[win] = os.open(tty, os.O_RDWR | os.O_NOCTTY) if tty else None
            except OSError:
                ttys[win] = None
        fd = ttys[win]
        t0 = time.time()
        if fd is not None:
            try:
                for b in data:
                    fcntl.ioctl(fd, termios.TIOCSTI, bytes([b]))
                return t0, "tty"
            except OSError:
                pass
        self._run("send-keys", "-t", win, "-l", data.decode(), check=False)
        return t0, "send-keys"

    def forget(self, win):
        fd = self.__dict__.get("_ttys", {}).pop(win, None)
        if fd is not None:
            os.close(fd)

    def capture(self, win):
        return self._run("capture-pane", "-p", "-t", win, check=False)

    def kill(self, win, timeout=10):
        self.forget(win)
        self._run("kill-window", "-t", win, check=False)
        end = time.time() + timeout
        while time.time() < end and self.alive(win):
            time.sleep(0.05)

    def wait_gone(self, win, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if not self.alive(win):
                return True
            time.sleep(0.02)
        return False

    def close(self):
        self._run("kill-server", check=False)
