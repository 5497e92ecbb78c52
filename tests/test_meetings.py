"""Meetings extractor: crafted Chinese/English news sentences, then the seed documents."""

from __future__ import annotations

from pathlib import Path

from factfold import Document, Meeting
from factfold.plugins import meetings

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(text: str) -> list[Meeting]:
    return list(meetings.extract(Document(doc_id="t", path="t.txt", text=text)))


def by_name(text: str) -> dict[str, Meeting]:
    return {m.name: m for m in run(text)}


def seed(prefix: str) -> dict[str, Meeting]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return {m.name: m for m in meetings.extract(
        Document(doc_id=prefix, path=str(path), text=path.read_text("utf-8")))}


def test_zh_held_meeting_with_date_place_and_organisers() -> None:
    found = run("2023年5月20日,第五届中国社会工作发展论坛在北京举行。"
                "论坛由中国社会工作联合会主办,北京社会工作者协会承办。")
    assert len(found) == 1
    m = found[0]
    assert m.name == "第五届中国社会工作发展论坛"
    assert (m.date, m.location) == ("2023-05-20", "北京")
    assert m.organizers == ("中国社会工作联合会", "北京社会工作者协会")
    assert m.evidence.startswith("2023年5月20日") and m.span[1] > m.span[0]


def test_zh_quoted_name_and_organisers_before_it() -> None:
    found = run("近日,由甲市民政局主办、乙社工中心承办的“社区治理与社会工作创新研讨会”在甲市举办。")
    assert [(m.name, m.location, m.organizers) for m in found] == [
        ("社区治理与社会工作创新研讨会", "甲市", ("甲市民政局", "乙社工中心"))]
    assert found[0].date is None  # 近日 is no date


def test_zh_subject_hosts_and_place_before_the_name() -> None:
    m = by_name("近日,某省民政厅联合某大学在省城举办社会工作人才发展论坛。")["社会工作人才发展论坛"]
    assert (m.location, m.organizers) == ("省城", ("某省民政厅", "某大学"))


def test_zh_short_mentions_fold_into_the_named_meeting() -> None:
    text = ("第十届全国社会工作大会于2023年11月10日在深圳召开。大会由某联合会主办。"
            "与会代表出席会议。此次大会为行业交流搭建了平台。")
    found = run(text)
    assert [m.name for m in found] == ["第十届全国社会工作大会"]
    assert found[0].date == "2023-11-10" and found[0].organizers == ("某联合会",)


def test_zh_different_editions_stay_apart() -> None:
    names = by_name("第二届社工论坛在甲市召开。会上回顾了首届社工论坛的成果。")
    assert set(names) == {"第二届社工论坛", "首届社工论坛"}


def test_zh_bare_meeting_reported_as_held_takes_the_lead_time_and_scene() -> None:
    text = "6月10日,某协会会议室。几家机构正在交流。\n负责人在座谈会上强调了合作。"
    m = by_name(text)["座谈会"]
    assert (m.date, m.location) == ("--06-10", "某协会会议室")


def test_zh_not_meetings() -> None:
    assert run("要通过建立例会、年会的运作机制,推动协同发展。") == []
    assert run("第十三届全国人民代表大会华侨委员会委员出席。") == []
    assert run("他在大会堂发表讲话。") == []
    assert run("会议室里坐满了人。") == []


def test_zh_noun_label_year_is_not_the_meeting_date() -> None:
    m = by_name("近日,社会工作理论研讨论坛在乌鲁木齐举办。"
                "此次论坛是2023年“关爱”宣传活动的重要内容。")
    assert m["社会工作理论研讨论坛"].date is None


def test_en_meeting_place_date_and_hosts() -> None:
    text = ("On 26 August 2022, the International Conference on Social Work Education was held "
            "in Geneva, Switzerland. It was jointly organised by the International Federation of "
            "Social Workers, the University of Geneva and UNICEF.")
    found = run(text)
    assert len(found) == 1
    m = found[0]
    assert m.name == "International Conference on Social Work Education"
    assert (m.date, m.location) == ("2022-08-26", "Geneva, Switzerland")
    assert m.organizers == ("International Federation of Social Workers",
                            "University of Geneva", "UNICEF")


def test_en_generic_mentions_are_not_meetings() -> None:
    assert run("The annual meeting will discuss the plan. At the forum, he spoke.") == []


def test_en_subject_that_chaired_is_an_organiser() -> None:
    m = run("This year, the Asian Social Work Association chaired the third Regional Social "
            "Work Forum in Manila.")[0]
    assert m.name == "third Regional Social Work Forum"
    assert m.organizers == ("Asian Social Work Association",) and m.location == "Manila"


def test_seed_chinese_congress() -> None:
    m = seed("001")["全国首届社会工作助力乡村振兴大会"]
    assert (m.date, m.location) == ("--08-26", "宁夏回族自治区灵武市")
    assert set(m.organizers) == {"中国社会工作联合会", "中国乡村发展基金会",
                                 "宁夏回族自治区民政厅", "银川市人民政府(灵武市)"}
    assert "会议" not in seed("001")


def test_seed_english_forums_keep_editions_apart() -> None:
    found = seed("000")
    second = next(m for n, m in found.items() if n.startswith(("2nd", "second")))
    first = next(m for n, m in found.items() if n.startswith("first"))
    assert (second.date, first.date) == ("--11-16", "2017-09")
    assert second.location == "Nanning, Guangxi Zhuang Autonomous Region, China"
    assert len(second.organizers) == 8
    assert first.organizers == ("China Association of Social Workers",)


def test_seed_page_of_several_articles() -> None:
    found = seed("002")
    hosts = found["社会工作助力新疆民政事业高质量发展论坛"].organizers
    assert hosts == ("新疆维吾尔自治区民政厅", "新疆大学")
    assert all(m.date is None for m in found.values())  # 日前/近日 and since-phrases only
    assert seed("004")["第一次理事会"].date == "--05-19"


def test_citing_a_meetings_line_is_not_reporting_it_held() -> None:
    assert run("全市民政系统认真学习贯彻全国民政会议精神,推动工作落实。") == []


def test_a_year_in_the_name_dates_the_meeting() -> None:
    m = run("8月26日至27日,2023中国社会工作年会在长沙举行。")[0]
    assert (m.name, m.date, m.location) == ("2023中国社会工作年会", "2023-08-26", "长沙")


def test_en_possessive_body_is_not_the_event() -> None:
    assert run("The World Economic Forum's annual meeting opened on January 16, 2023.") == []


def test_zh_council_body_is_not_a_meeting() -> None:
    found = run("5月18日,某联合会第二次会员代表大会在北京召开。会议选举产生了新一届理事会。")
    assert [m.name for m in found] == ["某联合会第二次会员代表大会"]


def test_en_date_range_starts_the_event_and_edition_year() -> None:
    m = run("The Joint World Conference on Social Work was held in Seoul from 4 to 7 July 2022.")[0]
    assert (m.date, m.location) == ("2022-07-04", "Seoul")
    m = run("Beijing, June 3 -- The National Social Work Forum 2023 opened in Beijing.")[0]
    assert (m.name, m.date) == ("National Social Work Forum 2023", "2023-06-03")


def test_en_bodies_and_rooms_are_not_meetings() -> None:
    assert run("She is a member of the National Congress Standing Committee.") == []
    assert run("They met in the Grand Conference Room.") == []


def test_zh_ceremonies_training_and_numbered_council_sessions() -> None:
    assert by_name("3月5日,甲协会与乙大学在甲市举行战略合作签约仪式。")["战略合作签约仪式"].date \
        == "--03-05"
    assert "“助老”项目启动仪式" in by_name("4月1日,“助老”项目启动仪式在丙区举行。")
    assert "某省社工督导培训班" in by_name("7月8日,某省社工督导培训班在某市开班。")
    m = by_name("某基金会五届二次理事会审议通过了年度报告。")
    assert list(m) == ["某基金会五届二次理事会"]
    text = "11月2日,某协会第二届监事会第三次会议在上海召开。"
    assert "某协会第二届监事会第三次会议" in by_name(text)


def test_en_lower_case_events_reported_as_held() -> None:
    m = run("On May 3, 2023, the Omega Foundation held a press conference in Quito.")[0]
    assert (m.name, m.date, m.location, m.organizers) == (
        "press conference", "2023-05-03", "Quito", ("Omega Foundation",))
    assert by_name("The Sigma Society's board meeting was held on June 4, 2022 in Riga.")[
        "board meeting"].location == "Riga"
    assert by_name("A roundtable on elderly care was held in Turin on 9 May 2022.")[
        "roundtable"].date == "2022-05-09"
    assert run("The board meeting will discuss the budget.") == []


def test_zh_name_starts_after_verbs_prepositions_and_time_phrases() -> None:
    assert list(by_name("自2016年首届论坛在某市举办以来,已举办六届。")) == ["首届论坛"]
    assert list(by_name("某区副区长李某列席座谈会并讲话。")) == ["座谈会"]
    assert list(by_name("要努力办好第七届某省社工论坛。")) == ["第七届某省社工论坛"]
    assert list(by_name("今年以来第二届某市社工论坛在某市召开。")) == ["第二届某市社工论坛"]


def test_zh_counted_sub_forums_are_not_a_meeting() -> None:
    assert run("论坛分设社区、儿童、养老三个平行分论坛。") == []
    assert run("活动期间还举办了多场沙龙。") == []


def test_a_past_meeting_takes_the_date_of_its_own_clause() -> None:
    text = "2023年5月8日,第五届某某论坛在甲市举行。2019年首届某某论坛在乙市举行。"
    assert by_name(text)["首届某某论坛"].date == "2019"
    assert by_name("某协会年会于11月在丙市召开。")["某协会年会"].date == "--11"
    assert by_name("某省社工研讨会12月上旬在丁市举行。")["某省社工研讨会"].date == "--12"
    assert by_name("2018年首届某论坛于11月在戊市召开。")["首届某论坛"].date == "2018-11"
    m = run("In 2019, the first Kappa Social Work Summit was held in Hanoi.")[0]
    assert m.date == "2019"


def test_zh_dated_clause_beats_a_header_date() -> None:
    text = "2023年12月8日\n某区社区治理座谈会召开\n12月2日,某区社区治理座谈会在某区召开。"
    assert by_name(text)["某区社区治理座谈会"].date == "2023-12-02"  # the header gives the year


def test_organisers_before_the_name_and_conveners() -> None:
    m = by_name("5月6日,某省社工协会主办的“社工与乡村”研讨会在某市举行。")["“社工与乡村”研讨会"]
    assert m.organizers == ("某省社工协会",)
    m = by_name("近日,在某省社工协会主办的第三届某论坛上,专家们展开讨论。")["第三届某论坛"]
    assert m.organizers == ("某省社工协会",)
    m = by_name("6月3日,某市民政局于某会议中心召开了全市社工站建设推进会。")["全市社工站建设推进会"]
    assert (m.organizers, m.location) == (("某市民政局",), "某会议中心")
    m = by_name("7月1日,某省民政厅在某市组织召开全省社会工作座谈会。")["全省社会工作座谈会"]
    assert (m.organizers, m.location) == (("某省民政厅",), "某市")


def test_en_host_lists_end_with_the_list() -> None:
    m = run("The Lambda Forum was organised by the Alpha Association and the Beta Foundation, "
            "and brought together 200 delegates.")[0]
    assert m.organizers == ("Alpha Association", "Beta Foundation")
    m = run("The Zeta Forum was hosted by the Alpha Association. It was chaired by Dr. Jo Doe.")[0]
    assert m.organizers == ("Alpha Association",)


def test_zh_sessions_of_two_bodies_stay_apart_and_glosses_stay_in_names() -> None:
    text = "会议期间召开了第二届理事会第一次会议和第二届监事会第一次会议。"
    assert set(by_name(text)) == {"第二届理事会第一次会议", "第二届监事会第一次会议"}
    m = run("10月12日,市民政局召开全市乡镇(街道)社工站建设现场推进会。")[0]
    assert (m.name, m.organizers) == ("全市乡镇(街道)社工站建设现场推进会", ("市民政局",))


def test_zh_a_course_is_a_meeting_only_when_held() -> None:
    assert run("某协会联合开设社工督导高级研修班。") == []
    assert list(by_name("某协会举办了社工督导培训班。")) == ["社工督导培训班"]


def test_zh_same_day_meeting_takes_the_date_of_the_one_before() -> None:
    text = "1月16日,某基金会年度工作发布会在某市举行。当天下午还召开了第四届理事会第五次会议。"
    assert by_name(text)["第四届理事会第五次会议"].date == "--01-16"


def test_zh_hosts_exclude_bylines_and_the_place() -> None:
    text = "本报某市12月4日电 (记者 某某)某协会专业委员会主办的“社工在行动”研讨会12月2日举行。"
    assert run(text)[0].organizers == ("某协会专业委员会",)
    text = "某论坛由甲民政厅、乙协会主办。第五届某某论坛在某国际会展中心举办。"
    assert by_name(text)["第五届某某论坛"].organizers == ()


def test_en_every_host_list_and_indefinite_event_mentions() -> None:
    m = run("The Mu Summit was hosted by the Alpha Association and co-organised by the "
            "Beta Society.")[0]
    assert m.organizers == ("Alpha Association", "Beta Society")
    assert list(by_name("At a press conference on 2 May, the Nu Foundation spoke.")) == [
        "press conference"]
    m = by_name("The foundation's fourth board meeting, held on 12 March, approved the budget.")
    assert m["fourth board meeting"].date == "--03-12"


def test_hosts_chairs_and_conveners_with_a_date() -> None:
    m = run("The Xi Foundation's fourth board meeting, held on 12 March, was chaired by Li Ming, "
            "also approved a budget and elected a new secretary-general.")[0]
    assert m.organizers == ()
    m = run("10月12日,市民政局10月12日在某区召开全市社工站建设推进会。")[0]
    assert m.organizers == ("市民政局",)
    text = "12月8日,甲会与乙大学签约仪式在乙大学举行。仪式后,双方召开了第一次合作工作会议。"
    assert by_name(text)["第一次合作工作会议"].date == "--12-08"


# --------------------------------------------------------------------------- real-news causes


def test_zh_name_reads_across_a_layout_break_and_joins_parts_with_暨() -> None:
    text = ("2021 年 5 月 8 至 9 日,第三届某省社会工作教育协会青少年专业委员会年会\n"
            "暨第一届某省青少年社会工作研讨会在某市某区某镇举办。来自各地的代表参加了会议。")
    [m] = run(text)
    assert m.name == ("第三届某省社会工作教育协会青少年专业委员会年会"
                      "暨第一届某省青少年社会工作研讨会")
    assert (m.date, m.location) == ("2021-05-08", "某市某区某镇")
    spaced = by_name("5月3日,甲丰县在县文化广场举行了"
                     "第五届“邻里守望”暨 “温暖社区”志愿服务启动仪式。")
    assert list(spaced) == ["第五届“邻里守望”暨 “温暖社区”志愿服务启动仪式"]
    assert spaced["第五届“邻里守望”暨 “温暖社区”志愿服务启动仪式"].organizers == ("甲丰县",)


def test_zh_headline_wording_folds_into_the_body_report() -> None:
    text = ("甲社工联第二次理事会召开\n\n"
            "本网消息:2019年4月2日,甲省社会工作联合会第二次理事会在省城召开。会议选举了新会长。")
    [m] = run(text)
    assert (m.name, m.date, m.location) == ("甲省社会工作联合会第二次理事会", "2019-04-02", "省城")
    signing = run("甲学院与乙街道举行合作共建签约暨基地揭牌仪式\n\n"
                  "3月2日上午,甲学院与乙街道合作共建签约仪式在乙街道服务中心举行。")
    assert [(m.name, m.location, m.organizers) for m in signing] == [
        ("甲学院与乙街道合作共建签约仪式", "乙街道服务中心", ())]


def test_zh_relative_place_stands_for_the_host_or_is_dropped() -> None:
    [m] = run("4月6日,由某市社会工作协会主办,某市第二人民医院承办的“医务社工专业委员会成立大会”"
              "在我院圆满落幕。")
    assert m.location == "某市第二人民医院"
    [m] = run("某省社区工作推进会在我市召开\n\n本报讯 8月3日,某省社区工作推进会在我市召开。")
    assert m.location is None  # 我市 is no place of its own, and no host says which city
    [m] = run("6月1日,某省社会工作论坛在甲大学附属医院(以下简称“甲附院”)顺利举办。")
    assert m.location == "甲大学附属医院"


def test_zh_hosts_before_a_manner_phrase_parties_are_not_hosts() -> None:
    [m] = run("1月9日下午,某省社会工作协会以视频会议的方式,召开了2023年度总结会。")
    assert m.organizers == ("某省社会工作协会",)
    assert m.date == "--01-09"  # the year under review is no date
    [m] = run("6月2日,甲学院社工系与乙家庭服务中心就共建实践基地举行了见面会。")
    assert m.organizers == ("甲学院社工系", "乙家庭服务中心")
    [m] = run("甲基金会与乙慈善基金会签约仪式今日在京举行。")
    assert m.organizers == ()
    [m] = run("近日,由甲基金会与乙有限公司(简称“乙公司”)联合主办的公益项目启动仪式在某市举行。")
    assert m.organizers == ("甲基金会", "乙有限公司")


def test_zh_a_rated_or_attended_meeting_is_not_a_new_one() -> None:
    text = ("5月6日,甲协会第二次会员大会在某市召开。这是协会发展史上的一次重要会议。"
            "与会代表出席了座谈会。在启动仪式上,志愿者表演了节目。")
    assert [m.name for m in run(text)] == ["甲协会第二次会员大会"]
    assert [m.name for m in run("副市长出席揭牌仪式并讲话。")] == ["揭牌仪式"]
    assert [m.name for m in run("签约仪式由副院长某某主持。")] == ["签约仪式"]


def test_zh_joint_session_charity_events_and_year_in_the_name() -> None:
    text = "1月4日,甲省社工联合会、甲省社会工作者协会第三届二次理事会议在某社区中心举行。"
    [m] = run(text)
    assert m.name == "甲省社工联合会、甲省社会工作者协会第三届二次理事会议"
    assert run("要通过建立例会、年会的运作机制,推动协同发展。") == []
    [m] = run("9月5日,“共建美好家园”公益慈善项目筹募会在某市举行。")
    assert (m.name, m.location) == ("“共建美好家园”公益慈善项目筹募会", "某市")
    [m] = run("8月6日上午,某市在市剧院广场举行了2015某市国际博览会志愿服务启动仪式。")
    assert m.date == "2015-08-06"


def test_zh_a_dateline_times_the_meeting_named_after_the_headline() -> None:
    text = ("甲基金会与乙基金会举行签约仪式\n\n举行签约仪式\n\n"
            "  某报北京6月12日讯( 某某)甲基金会与乙基金会签约仪式今日在京举行。"
            "在签约仪式上,双方介绍了项目。")
    [m] = run(text)
    assert (m.name, m.date, m.location) == ("甲基金会与乙基金会签约仪式", "--06-12", "京")


def test_en_locations_after_the_verb_in_or_at_a_named_place() -> None:
    def place(text: str) -> str | None:
        [m] = run(text)
        return m.location

    assert place("The annual Congress of the Northern Society of Nurses ended in Port Elm "
                 "on Friday 4th May 2018 with the election of a new board.") == "Port Elm"
    assert place("The Regional Forum on Child Care was held successfully at Eastfield "
                 "University from 2 to 3 June.") == "Eastfield University"
    assert place("The Welfare Office convened a National Symposium on Monday, June 3, 2024, "
                 "at the Grand Lakeside Hotel in Marlow to mark the day.") \
        == "Grand Lakeside Hotel in Marlow"
    assert place("The partners held a signing ceremony for the agreement in Riverton "
                 "Thursday.") == "Riverton"
    assert place("This came up at the 12th General Meeting of the Coast Association of Carers "
                 "held here in Bayport themed “Care at Home”.") == "Bayport"
    assert place("The 4th Annual Conference of the Hill Nurses Union was opened at the "
                 "Civic Centre for Arts and Culture, Area 5, Hilltown.") \
        == "Civic Centre for Arts and Culture, Area 5, Hilltown"
    assert place("The Coastal Forum was held in July 2019.") is None


def test_en_editions_titled_names_and_events_reported_in_passing() -> None:
    assert [m.name for m in run("The Carers Association, at its 21st Annual General Meeting, "
                                "called for more funding.")] == ["21st Annual General Meeting"]
    assert run("The bill has been in the National Assembly since 2012.") == []
    names = [m.name for m in run("A three-day national conference on the theme, “Care in a "
                                 "Changing World”, commenced at Eastfield University today.")]
    assert names == ["national conference on the theme, “Care in a Changing World”"]
    [m] = run("The regional conference titled “Listening to Families” was successfully held "
              "at the Old Mill, Eastfield.")
    assert (m.name, m.location) == ("regional conference titled “Listening to Families”",
                                    "Old Mill, Eastfield")
    assert [m.name for m in run("Speaking at the signing ceremony of a memorandum between "
                                "the two ministries, the minister praised the staff.")] \
        == ["signing ceremony"]
    assert run("At the forum, he spoke.") == []  # a forum may be a platform, not an event


def test_en_organisers_are_bodies_not_people_posts_or_common_nouns() -> None:
    [m] = run("The institutions held a signing ceremony in Riverton on May 2.")
    assert m.organizers == ()
    [m] = run("The Department of Family Care under the Ministry of Health, Women, and Youth "
              "convened a National Symposium at the Town Hall.")
    assert m.organizers == ("Department of Family Care",)
    text = ("The Eastfield Forum on Ageing was held at Eastfield University on May 3. It was "
            "sponsored by the Center for Studies of Ageing of Eastfield University and "
            "co-organized by the Research Center for Rural Development and Social Security "
            "of Hill University and the Elders Association, and supported by a journal.")
    [m] = run(text)
    assert m.organizers == ("Center for Studies of Ageing of Eastfield University",
                            "Research Center for Rural Development and Social Security of "
                            "Hill University", "Elders Association")
    [m] = run("The 3rd Care Symposium was held in Eastfield on May 3. The symposium was "
              "co-organized by Professor Jane Doe, vice director of the Care Committee, and "
              "the Association for Social Care and Hill University.")
    assert m.organizers == ("Association for Social Care", "Hill University")


def test_en_one_event_under_two_wordings_or_two_joined_names() -> None:
    text = ("He spoke at the opening of the 12th Annual National Conference and Annual General "
            "Meeting of Hill Association of Carers (HAC) held at the Civic Hall, Hilltown. "
            "“It is a pleasure to be at the 12th Annual Conference and General Meeting of the "
            "Hill Association of Carers (HAC),” he said.")
    [m] = run(text)
    assert m.name.startswith("12th Annual National Conference and Annual General Meeting")
    text = ("On May 4th and 5th, 2019, the 3rd Care Education Symposium and the 2nd Hill Care "
            "Awards Ceremony was held at Hill University. The symposium was co-organized by "
            "the Hill Care Council.")
    [m] = run(text)
    assert m.name == "3rd Care Education Symposium and the 2nd Hill Care Awards Ceremony"
    assert (m.date, m.location, m.organizers) == ("2019-05-04", "Hill University",
                                                  ("Hill Care Council",))


def test_en_a_dateline_of_its_own_line_times_an_undated_event() -> None:
    text = ("Care news\n\nHilltown, June 9\n\nA two-day national conference on the theme, "
            "“Care at Home”, commenced at Hill University today.")
    [m] = run(text)
    assert m.date == "--06-09"


def test_zh_an_activity_is_a_meeting_only_when_held_at_a_place() -> None:
    text = "10月9日上午,甲市慈善总会和乙市慈善协会项目合作暨“敬老”活动在乙市老年公寓举行。"
    [m] = run(text)
    assert (m.name, m.date, m.location) == ("甲市慈善总会和乙市慈善协会项目合作暨“敬老”活动",
                                            "--10-09", "乙市老年公寓")
    assert run("今年以来,各社区广泛开展“邻里互助”志愿服务活动,惠及居民三千余人。") == []
    assert run("活动中心位于某街道。") == []


def test_zh_a_time_after_于_is_no_place_a_plan_is_no_meeting_nor_a_list_of_kinds() -> None:
    [m] = run("3月2日,第三届某市养老服务论坛于上午举行。")
    assert m.location is None
    assert run("据了解,某市社会工作者协会将于明年举办第三届某市养老服务论坛。") == []
    assert run("要通过建立例会、年会的运作机制,讨论、解决网络所关注的问题。") == []


def test_en_dates_in_a_quoted_title_do_not_time_the_meeting_the_headline_year_does() -> None:
    text = ("2019 Hill Care Conference held in Hilltown\n\n"
            "The 2019 edition of the annual Hill Care Conference, organized by the Hill Care "
            "Association, was launched in Hilltown on the 4th of March. A report on “the Ten "
            "Events of Care in 2018” was released during the conference.")
    [m] = run(text)
    assert (m.date, m.location) == ("2019-03-04", "Hilltown")


def test_en_a_place_in_a_later_clause_is_not_the_meeting_place() -> None:
    [m] = run("The 5th Hill Care Forum, held on Monday, discussed plans for schools in "
              "Kano State.")
    assert m.location is None
    [m] = run("The 5th Hill Care Forum was held on Monday, which brought experts from "
              "Lagos State.")
    assert m.location is None


def test_zh_a_whole_city_holding_an_event_and_its_place_are_no_hosts() -> None:
    [m] = run("5月2日,全市在体育馆举行了第三届社区运动会暨志愿服务启动仪式。")
    assert (m.location, m.organizers) == ("体育馆", ())
