"""The driver suites' shared reporting: `check` prints ok/FAIL per check
and remembers failures; `finish` prints the summary and sets the exit
status."""
import sys

failures = []


def check(name, got, want):
    if got == want:
        print(f"ok   {name}")
    else:
        print(f"FAIL {name}: want {want!r}, got {got!r}")
        failures.append(name)


def finish(suite):
    if failures:
        print(f"{len(failures)} {suite} check(s) failed: {', '.join(failures)}")
        sys.exit(1)
    print(f"{suite}: all checks passed")
