"""Bounded extraction: hostile text costs bounded time and memory, and a plugin that hangs,
spins or crashes is stopped in its worker process, recorded as failed, and not retried
at every start.  Real plugins, a real store, real processes and signals."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from factfold import Document
from factfold.extraction import setup_extractors
from factfold.pluginmanager import PluginHost

# Long runs without sentence punctuation: a CJK run, a line of numerals, a repeated heading.
HOSTILE_LINES = {
    "cjk-run": "会议" * 30_000,
    "numerals": "一二三四五六七八九十" * 6_000,
    "headings": "会议：" * 20_000,
}


def test_long_unpunctuated_lines_cost_linear_time_in_every_builtin_extractor():
    """A regex that scanned the rest of a CJK run from every position in it took minutes on
    a megabyte; each line here (60k characters) took 20-50 s in the people extractor."""
    extractors = setup_extractors(PluginHost().extractors())
    for shape, text in HOSTILE_LINES.items():
        for ex in extractors:
            started = time.monotonic()
            list(ex.extract(Document("x" * 64, "hostile.txt", text)))
            took = time.monotonic() - started
            assert took < 5, f"{ex.name} took {took:.1f}s on {shape}"


MEMORY_PROBE = textwrap.dedent("""
    import resource, sys
    from factfold import Document
    from factfold.plugins import nlp, people

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    people.setup()
    nlp.tag(["一二三四五六七八九十" * 100])  # warm up the tagger at a normal size
    before = peak_mb()
    line = "一二三四五六七八九十" * int(sys.argv[1])
    tokens = nlp.tag([line])[0]
    assert "".join(t.word for t in tokens) == line
    assert all(line[t.start:t.end] == t.word for t in tokens)
    list(people.extract(Document("x" * 64, "numerals.txt", line)))
    print(peak_mb() - before)
""")


def test_tagging_a_long_line_without_punctuation_takes_bounded_memory():
    """The tagger took a few KB per character of one sentence: a 2 MB line of numerals
    took 6.2 GB.  A 600 KB line (200k characters) must now add under 250 MB."""
    proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE, "20000"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    grew = float(proc.stdout.strip())
    assert grew < 250, f"peak memory grew {grew:.0f} MB"
