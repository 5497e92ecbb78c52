"""The display helper: what reaches a terminal is one safe line, and JSON keeps its value."""

from __future__ import annotations

import json
import os

import pytest

from factfold.display import json_line, printable, store_name

HOSTILE = ["t\x1b]0;pwned\x07.txt", "two\nlines", "tab\there", "\x9b31m", "rtl\u202eevil",
           "del\x7f", "nul\x00", "line\u2028sep", os.fsdecode(b"bad\xff.txt"), "\ud800"]


@pytest.mark.parametrize("text", HOSTILE)
def test_printable_leaves_no_control_character_and_nothing_unencodable(text):
    shown = printable(text)
    assert shown.isprintable() and "\\" in shown
    shown.encode("utf-8")  # strict: a terminal gets valid UTF-8


def test_printable_keeps_ordinary_text_and_markup_as_it_is():
    for text in ("社会工作协会 年度报告.txt", "[/]x[bold red].txt", "Café ünïcode", "a:b;c"):
        assert printable(text) == text


def test_store_name_changes_only_undecodable_bytes():
    assert store_name("名字.txt") == "名字.txt"
    assert store_name(os.fsdecode(b"bad\xff.txt")) == "bad\\xff.txt"


@pytest.mark.parametrize("text", HOSTILE)
def test_json_line_is_the_same_value_with_no_raw_control_character(text):
    line = json_line({"path": text, "n": [1, text]})
    assert line.isprintable() and "\n" not in line
    assert json.loads(line) == {"path": text, "n": [1, text]}
