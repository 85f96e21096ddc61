"""The report the fuzz tests write when ``NVMATH_FUZZ_REPORT`` names a file: counts per test, merged.

Every fuzz module of a session (host FFT, matmul, device FFT) adds its counts to the same file
when it was written with the same profile; a report of another profile is replaced.
"""

import json
import os
import tempfile


def write_fuzz_report(profile: str, stats: dict) -> None:
    """Merge ``stats`` (test name -> counts) into the ``NVMATH_FUZZ_REPORT`` file, if it is set."""
    path = os.environ.get("NVMATH_FUZZ_REPORT")
    if not path or not stats:
        return
    try:
        with open(path) as f:
            previous = json.load(f)
        tests = dict(previous["tests"]) if previous.get("profile") == profile else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        tests = {}
    tests.update(stats)
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False) as f:
        json.dump({"profile": profile, "tests": tests}, f, indent=2)
    os.replace(f.name, path)
