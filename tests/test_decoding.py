"""Every encoding news arrives in is read; everything else is rejected with a reason."""

from __future__ import annotations

import codecs

import pytest

from factfold.decoding import Undecodable, decode

ZH = "中国社会工作联合会在北京召开座谈会，共有160多万人参加。\n第二段：数据与统计。"
EN = "The forum was held in Nanning on November 16th; about 300 “social workers” attended."


@pytest.mark.parametrize("text", [ZH, EN, ZH + "\n" + EN])
@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""),
     ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
     ("utf-16-le", b""), ("utf-16-be", b"")],
)
def test_text_round_trips(text, encoding, prefix):
    if encoding == "gbk" and "“" not in text and not any("\u4e00" <= c <= "\u9fff" for c in text):
        encoding = "gb18030"
    assert decode(prefix + text.encode(encoding)).text == text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary"),
        ("半个字".encode()[:-1] + b"\xff\xfe\xfd tail", "undecodable"),
        (codecs.BOM_UTF8 + b"ok \xff\xfe", "byte-order mark"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(data, reason):
    with pytest.raises(Undecodable, match=reason):
        decode(data)
