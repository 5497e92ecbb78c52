"""Date normalisation: ISO forms, years only when the text states them, event-time filtering."""

from __future__ import annotations

import pytest

from factfold.plugins.dates import event_dates, find_dates, lead_at, leads


def first(text: str) -> str | None:
    """The ISO value of the first date in ``text``, if any."""
    found = find_dates(text)
    return found[0].iso if found else None


@pytest.mark.parametrize(("text", "expected"), [
    ("2022年8月26日", "2022-08-26"),
    ("8月26日", "--08-26"),
    ("2017年9月", "2017-09"),
    ("2015年", "2015"),
    ("八月二十六日", "--08-26"),
    ("2022 年 8 月 26 日", "2022-08-26"),
    ("November 16th", "--11-16"),
    ("September 2017", "2017-09"),
    ("on 26 August 2022", "2022-08-26"),
    ("Nov. 3, 2021", "2021-11-03"),
    ("日前", None),
    ("近日", None),
    ("8月", None),
    ("共有8月的数据", None),
    ("11月在东莞召开", "--11"),
    ("12月上旬,会议召开", "--12"),
    ("2019年11月在东莞召开", "2019-11"),
    ("In 2019 the summit was held", "2019"),
    ("the 2019 report", None),
])
def test_first_date(text: str, expected: str | None) -> None:
    assert first(text) == expected


def test_a_month_alone_takes_the_paragraph_year() -> None:
    found = find_dates("2021年,该会成立。11月在甲市召开年会。")
    assert [d.iso for d in found] == ["2021", "2021-11"]


def test_year_carries_within_a_paragraph_not_beyond() -> None:
    text = "2022年8月1日启动，8月26日闭幕。\n9月3日另有活动。"
    assert [d.iso for d in find_dates(text)] == ["2022-08-01", "2022-08-26", "--09-03"]


def test_paragraph_opening_year_and_dateline() -> None:
    assert [d.iso for d in find_dates("2015年,双方将于6月11日签约。")] == ["2015", "2015-06-11"]
    text = "新华社北京2021年3月5日电 3月4日,会议开幕。"
    assert find_dates(text)[-1].iso == "2021-03-04"
    text = "某某日报\n2021年3月5日 星期五\n本报讯 3月4日,会议开幕。"
    assert find_dates(text)[-1].iso == "2021-03-04"


def test_labels_and_ranges_are_not_dates() -> None:
    assert find_dates("2023年度报告") == []
    assert find_dates("(2023年-2027年)") == []


def test_event_dates_drop_noun_labels_and_since_phrases() -> None:
    text = "此次论坛是2023年“关爱”活动之一，自2016年签署协议以来，5月19日,理事会召开。"
    assert [d.iso for d in event_dates(text)] == ["--05-19"]


def test_leads_set_time_and_scene_and_vague_leads_reset() -> None:
    text = "6月10日,某协会会议室。大家在交流。\n近日,另一场会议召开。"
    found = leads(text, find_dates(text))
    first = lead_at(found, 5)
    assert first is not None and (first.date, first.place) == ("--06-10", "某协会会议室")
    last = lead_at(found, len(text) - 1)
    assert last is not None and last.date is None


def test_a_range_of_days_starts_on_its_first_day() -> None:
    assert [d.iso for d in find_dates("2019 年 11 月 2 至 3 日,年会在某市举办。")] == ["2019-11-02"]
    assert [d.iso for d in find_dates("6月7日-9日举行")] == ["--06-07"]
    assert [d.iso for d in find_dates("会期为4月5日至6月7日")] == ["--04-05", "--06-07"]


def test_run_together_dates_and_a_range_written_with_both_days() -> None:
    assert [d.iso for d in find_dates("20190312日上午,")] == ["2019-03-12"]
    assert find_dates("编号20191399日") == []  # no 13th month
    assert [d.iso for d in find_dates("4月12日—13日,由")] == ["--04-12"]


def test_a_wire_dateline_dates_its_paragraph_unless_a_vague_time_follows() -> None:
    text = ("  某报南京6月12日讯( 某某)甲乙签约仪式今日在宁举行。\n"
            "某网某地6月13日电 (某某)日前,会议召开。")
    assert [lead.date for lead in leads(text, find_dates(text))] == ["--06-12", None]


def test_english_day_ranges_and_datelines() -> None:
    assert [d.iso for d in find_dates("On March 4th and 5th, 2019, the")] == ["2019-03-04"]
    text = "Care news\nHilltown, June 9\nLAGOS, June 3 – The forum opened.\nSmith, May 3 was fun."
    assert [lead.date for lead in leads(text, find_dates(text))] == ["--06-09", "--06-03"]


def test_a_purpose_clause_may_open_the_lead_before_its_time() -> None:
    text = ("为了总结工作,谋划新一年任务,1月9日,甲协会与乙大学签订协议。\n"
            "为民服务是宗旨,3月5日如此。")
    assert leads(text, find_dates(text)) == [(0, "--01-09", None)]
