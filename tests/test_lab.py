"""The README's first command: `make lab` serves JupyterLab and opens it at the index."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from notebook_utils import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_opens_the_index(tmp_path):
    port, token = _free_port(), "surveykit-test"
    log = tmp_path / "lab.log"
    # The "browser" is `echo`: JupyterLab hands it the page it would open.
    args = (f"--port={port} --IdentityProvider.token={token} --ServerApp.ip=127.0.0.1 "
            f"--ServerApp.browser='echo OPEN %s'")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with open(log, "w") as fh:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=fh,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        opened = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and opened is None:
            time.sleep(0.5)
            assert proc.poll() is None, log.read_text()
            m = re.search(r"OPEN (file://\S+)", log.read_text())
            if m:
                opened = Path(m[1].removeprefix("file://"))
        assert opened is not None, log.read_text()
        url = re.search(r'href="([^"]+)"', opened.read_text())[1]
        index = r"/lab/tree/00\.00-Index\.ipynb"
        assert re.fullmatch(rf"http://[\w.]+:{port}{index}\?token={token}", url), url
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200
        api = f"http://127.0.0.1:{port}/api/contents/00.00-Index.ipynb?token={token}"
        with urllib.request.urlopen(api, timeout=30) as resp:
            assert resp.status == 200 and b"Contents" in resp.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
