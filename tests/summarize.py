#!/usr/bin/env python3
"""Totals the TRX files of a test run; prints failures, then "N passed, N failed" as the last line.

Exits 1 when a test failed that is not a known gap (tests/known-gaps.txt: one fully qualified test name or
NUnit test-case name a line, then a tab and the reason), or when no test ran at all.
"""
import glob
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main() -> int:
    results_dir, gaps_file = sys.argv[1], sys.argv[2]
    gaps = {}
    try:
        with open(gaps_file, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    name, _, reason = line.partition("\t")
                    gaps[name.strip()] = reason.strip()
    except FileNotFoundError:
        pass

    passed = failed = skipped = 0
    unexpected, known, fixed = [], [], []
    seen_gaps = set()
    for trx in sorted(glob.glob(f"{results_dir}/**/*.trx", recursive=True)):
        root = ET.parse(trx).getroot()
        for r in root.iterfind(".//t:UnitTestResult", NS):
            name, outcome = r.get("testName", "?"), r.get("outcome", "?")
            gap = name in gaps
            if gap:
                seen_gaps.add(name)
            if outcome == "Passed":
                passed += 1
                if gap:
                    fixed.append(name)
            elif outcome == "NotExecuted":
                skipped += 1
            else:
                failed += 1
                msg = r.find(".//t:Message", NS)
                text = (msg.text or "").strip().splitlines()[0] if msg is not None and msg.text else outcome
                (known if gap else unexpected).append(f"{name}: {text}")

    for line in known:
        print(f"known gap: {line}")
    for name in fixed:
        print(f"known gap now passes (remove it from known-gaps.txt): {name}")
    for line in unexpected:
        print(f"FAILED: {line}")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    if passed + failed == 0 or unexpected:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
