"""What the Python benchmarks share: the Tailmark CLI to run and a free loopback port.

The CLI is TAILMARK_CLI if set (a published build, e.g. Release), else the newest `dotnet build` output of the repo.
"""
import glob
import os
import socket

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def cli():
    found = os.environ.get("TAILMARK_CLI") or max(glob.glob(os.path.join(ROOT, "src/Tailmark.Cli/bin/*/net10.0/Tailmark.Cli.dll")), key=os.path.getmtime)
    return ["dotnet", found]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
