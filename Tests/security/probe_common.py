"""Helpers shared by the security probes (fuzz_api.py, malformed.py, authz_matrix.py): the command line
options that choose the server, starting and stopping `motcua serve`, and the route table.

Not a script: each probe adds its own folder to sys.path and imports this module.
"""
import argparse, json, os, subprocess, tempfile, time
import requests

# The HTML routes, for the route table's fallback when `motcua routes --json` is not available.
HTML_ROUTES = [("GET", "/can-bo/dang-nhap"), ("POST", "/can-bo/dang-nhap"), ("POST", "/can-bo/dang-xuat"), ("GET", "/can-bo"),
               ("GET", "/can-bo/tiep-nhan"), ("POST", "/can-bo/tiep-nhan"), ("GET", "/can-bo/ho-so/{code}"),
               ("POST", "/can-bo/ho-so/{code}/hanh-dong"), ("GET", "/can-bo/tep/{id}"), ("GET", "/can-bo/ho-so/{code}/{form}"),
               ("GET", "/can-bo/so-theo-doi"), ("GET", "/"), ("GET", "/thu-tuc"), ("GET", "/thu-tuc/{code}"), ("GET", "/lich"),
               ("GET", "/static/{file}"), ("GET", "/healthz"), ("GET", "/metrics"), ("GET", "/openapi.yaml")]


# ------------------------------------------------------------------------------------ command line
def server_argument_parser(doc, default_port):
    """An ArgumentParser with --binary, --database, --port and --url; the probe adds its own options."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--binary"); p.add_argument("--database"); p.add_argument("--port", type=int, default=default_port)
    p.add_argument("--url")
    return p


def parse_server_args(p):
    """Parses the command line: --url, or --binary and --database; a relative SQLite path made absolute."""
    a = p.parse_args()
    if not a.url and not (a.binary and a.database):
        p.error("give --url, or --binary and --database (and --port)")
    a.database = absolute_database_url(a.database)
    return a


def absolute_database_url(url):
    """sqlite://relative/path -> sqlite:///absolute/path (the server runs in a temporary directory)."""
    if url and url.startswith("sqlite://") and not url.startswith("sqlite:///"):
        return "sqlite://" + os.path.abspath(url[len("sqlite://"):])
    return url


# ------------------------------------------------------------------------------------------ server
class Server:
    """Starts `BINARY serve --port --database` (or uses --url), waits for /healthz, stops it; stop() only
    for a server we started. Its output goes to a temporary log file named after log_prefix."""
    def __init__(self, a, log_prefix="motcua"):
        self.a, self.proc, self.log, self.log_prefix = a, None, None, log_prefix
        self.base = a.url.rstrip("/") if a.url else f"http://127.0.0.1:{a.port}"

    def workdir(self):
        """The server's working directory: its own, created once, so that files it writes by default
        (audit checkpoints of a PostgreSQL database, keys when MOTCUA_AUDIT_KEY_DIR is unset) never
        mix with another run's."""
        if not getattr(self, "_workdir", None):
            self._workdir = tempfile.mkdtemp(prefix=self.log_prefix + "-cwd-")
        return self._workdir

    def open_log(self):
        return open(tempfile.mktemp(prefix=self.log_prefix + "-", suffix=".log"), "w")

    def start(self):
        if self.a.url:
            return self.wait(30)
        env = dict(os.environ, MOTCUA_LOG_LEVEL="warning")
        self.log = self.open_log()
        self.proc = subprocess.Popen([os.path.abspath(self.a.binary), "serve", "--port", str(self.a.port), "--database", self.a.database],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.workdir())
        return self.wait(180)

    def healthy(self, timeout=5.0):
        try:
            return requests.get(self.base + "/healthz", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def wait(self, seconds):
        """Whether /healthz answers 200 within `seconds` (False at once if our process exited)."""
        end = time.time() + seconds
        while time.time() < end:
            if self.dead():
                return False
            if self.healthy(2):
                return True
            time.sleep(0.3)
        return False

    def dead(self):
        return self.proc is not None and self.proc.poll() is not None

    def alive(self):
        return not self.dead() and self.healthy(5)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try: self.proc.wait(20)
            except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()


# ------------------------------------------------------------------------------------- route table
def routes_table(a, base):
    """(routes, source): [(METHOD, path)] from `BINARY routes --json` (run against a throwaway SQLite file);
    without a binary, or when the subcommand is missing, the paths of /openapi.yaml plus HTML_ROUTES."""
    if a.binary:
        tmp = tempfile.mkdtemp(prefix="motcua-routes-")
        try:
            p = subprocess.run([os.path.abspath(a.binary), "routes", "--json", "--database", f"sqlite://{tmp}/routes.sqlite"],
                               capture_output=True, text=True, timeout=120, cwd=tmp, env=dict(os.environ, MOTCUA_LOG_LEVEL="error"))
            for line in reversed(p.stdout.strip().splitlines()):
                if line.startswith("["):
                    return [(r["method"].upper(), r["path"]) for r in json.loads(line)], "motcua routes --json"
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        finally:
            subprocess.run(["rm", "-rf", tmp])
    import yaml  # only here: fuzz_api.py does not need PyYAML
    spec = yaml.safe_load(requests.get(base + "/openapi.yaml", timeout=10).text)
    out = [(m.upper(), p) for p, ops in spec.get("paths", {}).items() for m in ops if m in ("get", "post", "put", "patch", "delete")]
    out += [r for r in HTML_ROUTES if r not in out]
    return out, "fallback: /openapi.yaml + known HTML routes"
