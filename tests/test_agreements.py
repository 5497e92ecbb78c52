"""Agreements extractor: crafted signing sentences in Chinese and English, then the seeds."""

from __future__ import annotations

from pathlib import Path

from factfold import Agreement, Document
from factfold.plugins import agreements

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(text: str) -> list[Agreement]:
    return list(agreements.extract(Document(doc_id="t", path="t.txt", text=text)))


def seed(prefix: str) -> dict[str, Agreement]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return {a.title: a for a in agreements.extract(
        Document(doc_id=prefix, path=str(path), text=path.read_text("utf-8")))}


def test_zh_titled_agreement_signed_by_two_organisations() -> None:
    found = run("6月11日,甲市社会工作者协会和乙省社会工作师联合会签订了《两地社工战略合作协议》。")
    assert [(a.title, a.parties, a.date, a.term) for a in found] == [
        ("两地社工战略合作协议", ("甲市社会工作者协会", "乙省社会工作师联合会"), "--06-11", None)]
    assert found[0].evidence.startswith("6月11日")


def test_zh_people_sign_and_titles_are_stripped() -> None:
    a = run("甲基金会理事长王芳与乙协会会长赵强签订《公益合作框架协议》。")[0]
    assert a.parties == ("王芳", "赵强")


def test_zh_several_titles_one_verb_and_a_count_is_not_an_agreement() -> None:
    found = run("会上,甲联合会、乙市人民政府分别与丙基金会、丁银行等单位签署《合作备忘录》"
                "《乡村振兴合作协议》等九项合作协议。")
    assert [a.title for a in found] == ["合作备忘录", "乡村振兴合作协议"]
    assert found[0].parties == ("甲联合会", "乙市人民政府", "丙基金会", "丁银行")
    assert run("2022年,该会先后签署12项合作协议。") == []


def test_zh_term_and_year_label() -> None:
    a = run("三地民政局签订了《甲区民政局 乙区民政局 丙市民政局共同推动合作框架协议"
            "(2023年-2027年)》。")[0]
    assert a.term == "2023-2027"
    assert a.parties == ("甲区民政局", "乙区民政局", "丙市民政局")  # from the title
    assert run("双方签署2024年度《捐赠协议》。")[0].term == "2024"


def test_zh_generic_wording_folds_into_the_full_title() -> None:
    text = "甲协会与乙协会签定合作协议\n6月1日,甲协会与乙协会签订了《甲乙社工合作协议》。"
    assert [a.title for a in run(text)] == ["甲乙社工合作协议"]


def test_zh_untitled_agreement_keeps_a_descriptive_title() -> None:
    a = run("会上,甲市民政局与乙大学签署了战略合作协议,双方将开展合作。")[0]
    assert (a.title, a.parties) == ("战略合作协议", ("甲市民政局", "乙大学"))


def test_not_agreements() -> None:
    assert run("该项目是落实《社会工作专业人才队伍建设中长期规划》的重要举措。") == []
    assert run("围绕更好落实协议内容,三地同步建构了网络。") == []


def test_en_agreement_with_parties_and_date() -> None:
    a = run("The Alpha Association of Social Workers and the Beta Social Workers Association "
            "signed a Strategic Cooperation Agreement on March 3, 2021.")[0]
    assert (a.title, a.date) == ("Strategic Cooperation Agreement", "2021-03-03")
    assert a.parties == ("Alpha Association of Social Workers", "Beta Social Workers Association")


def test_en_memorandum_with_counterpart() -> None:
    a = run("The ministry signed a memorandum of understanding with the Gamma Foundation.")[0]
    assert a.title == "memorandum of understanding"
    assert a.parties == ("Gamma Foundation",)


def test_seeds() -> None:
    found = seed("001")
    assert set(found) == {"助力社会工作参与乡村振兴合作备忘录", "全面推进乡村振兴战略战略合作协议"}
    assert all(a.date == "--08-26" and len(a.parties) == 5 for a in found.values())
    page = seed("002")
    assert page["国家能源集团“爱心行动”捐赠协议"].parties == ("李文红", "康鹏")
    assert page["战略合作框架协议"].parties == ("张周", "吴玉霞")
    assert seed("004")["京粤社工战略合作协议"].date == "--06-11"
    assert seed("000") == {} and seed("003") == {}


def test_en_term_in_brackets_after_the_title() -> None:
    a = run("The two organisations signed the Northern Action Plan on Social Work Cooperation "
            "(2023-2025) in the capital on 12 May 2023.")[0]
    assert (a.title, a.term, a.date) == ("Northern Action Plan on Social Work Cooperation",
                                         "2023-2025", "2023-05-12")
    assert a.parties == ()  # "the two organisations" names no one


def test_zh_collective_subject_names_no_party() -> None:
    assert run("活动现场,双方签署了《共建社工实践基地合作协议》。")[0].parties == ()


def test_zh_people_signing_on_behalf_stand_for_their_bodies() -> None:
    a = run("甲市社工协会会长王明与乙大学副校长李华分别代表双方签署合作协议。")[0]
    assert a.parties == ("甲市社工协会", "乙大学")
    text = ("丙基金会理事长赵一出席活动。丁学院院长钱二致辞。\n"
            "赵一与钱二分别代表双方签署《共建实践基地协议》。")
    assert run(text)[0].parties == ("丙基金会", "丁学院")
    assert run("张三与李四分别代表双方签署了《结对帮扶协议》。")[0].parties == ("张三", "李四")


def test_zh_particles_and_topic_phrases_stay_out_of_titles_and_parties() -> None:
    assert run("两家机构此前曾签署过合作备忘录。")[0].title == "合作备忘录"
    a = run("甲联合会就人才培养与乙学院签署战略合作协议。")[0]
    assert a.parties == ("甲联合会", "乙学院")


def test_signing_at_a_meeting_takes_its_date() -> None:
    text = ("甲省民政厅于5月10日召开新闻发布会,介绍情况。\n"
            "会上,甲省民政厅与乙基金会签署《慈善合作协议》。")
    assert run(text)[0].date == "--05-10"


def test_terms_beside_the_signing() -> None:
    assert run("双方签署《共建协议》,计划在2024—2026年间共同建设社工站。")[0].term == "2024-2026"
    assert run("双方签署了2025—2027年《人才培养合作协议》。")[0].term == "2025-2027"
    a = run("The Alpha Association signed a cooperation agreement with the Beta Foundation, "
            "valid from 2024 to 2026.")[0]
    assert (a.title, a.term) == ("cooperation agreement", "2024-2026")
    a = run("On 3 March 2023, the Alpha Association and the Beta Foundation signed a memorandum "
            "of understanding for a term of three years.")[0]
    assert (a.title, a.term) == ("memorandum of understanding", "three years")


def test_zh_mixed_signers_and_chains_of_posts() -> None:
    text = "甲联合会会长王一致辞。\n会上,甲联合会与乙大学党委常委、副校长周二签署《人才培养协议》。"
    assert run(text)[0].parties == ("甲联合会", "乙大学党委")
    a = run("2019年,甲联合会就曾与丙大学签署过合作备忘录。")[0]
    assert (a.title, a.parties, a.date) == ("合作备忘录", ("甲联合会", "丙大学"), "2019")


def test_zh_respective_signing_pairs_the_first_party_with_each_other() -> None:
    found = run("4月8日,王强代表我院与甲大学社会学院、乙区社会工作协会分别签订了"
                "学生实习基地协议及社工服务合作框架协议。")
    assert [(a.title, a.parties, a.date) for a in found] == [
        ("学生实习基地协议", ("我院", "甲大学社会学院"), "--04-08"),
        ("社工服务合作框架协议", ("我院", "乙区社会工作协会"), "--04-08")]


def test_zh_adverbs_openers_and_delegates_leave_the_bodies() -> None:
    assert run("此次活动中,甲市慈善总会又与乙市慈善协会签订了助学援助协议。")[0].parties == (
        "甲市慈善总会", "乙市慈善协会")
    a = run("会上,甲市民政局负责人与我校以及乙大学、丙学院的高校代表签订了"
            "《社工人才培养协议》。")[0]
    assert a.parties == ("甲市民政局", "我校", "乙大学", "丙学院")
    assert run("著名作家赵明与钱亮正式签署了合作备忘录。")[0].parties == ("赵明", "钱亮")


def test_zh_both_sides_are_the_bodies_the_text_pairs() -> None:
    text = ("9月3日,甲学院社工系与乙市家庭服务中心就共建实践基地举行了见面会。"
            "双方代表进行了座谈,并现场签署了合作协议。")
    a = run(text)[0]
    assert (a.parties, a.date) == (("甲学院社工系", "乙市家庭服务中心"), "--09-03")
    text = ("丙省乙和慈善基金会与丁研究基金会签约仪式今日在京举行。\n"
            "丁研究基金会秘书长张明和乙和基金会理事长王华代表双方签署协议。")
    assert run(text)[0].parties == ("丙省乙和慈善基金会", "丁研究基金会")


def test_zh_a_list_after_the_signing_gives_one_agreement_per_pair() -> None:
    text = ("活动中,三家基金会分别介绍了项目,并与合作对象现场签订了深化合作协议,即:\n"
            "甲公益基金会与乙区民政局合作的“小屋”关爱项目;\n"
            "丙慈善基金会与丁社工服务中心合作的“成长”陪伴项目;\n"
            "戊社区基金会与己区民政局合作的心理关爱项目。\n"
            "各签约单位将开展援助。")
    assert [a.parties for a in run(text)] == [("甲公益基金会", "乙区民政局"),
                                             ("丙慈善基金会", "丁社工服务中心"),
                                             ("戊社区基金会", "己区民政局")]


def test_zh_headline_and_body_fold_keeping_the_date_and_a_length_term() -> None:
    text = ("新闻速递 | 甲市民政局与乙市民政局签订三年社会工作合作协议\n"
            "5月6日,在乙市举行的活动上,甲市民政局与乙市民政局签订了社会工作合作协议。")
    assert [(a.title, a.parties, a.date, a.term) for a in run(text)] == [
        ("社会工作合作协议", ("甲市民政局", "乙市民政局"), "--05-06", "三年")]
    text = ("11月2日,甲基金会、乙设计有限公司“关爱基金”2024-2028合作签约仪式举行。"
            "仪式上,甲基金会理事长王明、乙设计有限公司董事长李强代表双方签署协议。")
    assert run(text)[0].term == "2024-2028"


def test_zh_this_event_dates_a_signing_in_a_later_paragraph() -> None:
    text = ("本报讯 重阳节到了。10月9日上午,甲慈善总会敬老活动在乙区举行。\n"
            "此次活动中,甲慈善总会与乙慈善协会签订了助学协议。")
    assert run(text)[0].date == "--10-09"


def test_en_and_inside_a_name_and_words_around_the_subject() -> None:
    a = run("The Alpha University of Beta Valley and the Beta Education and Research Center at "
            "Gamma signed a ceremonial Memorandum of Understanding on May 2.")[0]
    assert a.title == "Memorandum of Understanding"
    assert a.parties == ("Alpha University of Beta Valley",
                         "Beta Education and Research Center at Gamma")
    a = run("The Department of Youth Welfare and Development (DYWD) and the Northern Relief "
            "Corps (NRC) recently signed a Memorandum of Understanding (MOU).")[0]
    assert a.parties == ("Department of Youth Welfare and Development", "Northern Relief Corps")
    assert run("The Delta Children Fund (DCF) and Omega government on Friday signed "
               "Memorandum of Understanding on the training of carers.")[0].parties == (
        "Delta Children Fund", "Omega government")


def test_en_signers_named_as_people_stand_for_their_bodies() -> None:
    text = ("The Eastern Resilience Foundation, Inc. (ERF) has long helped the Department of "
            "Youth Welfare and Development (DYWD). This was stressed by DYWD Secretary Jane Roe "
            "as she signed a Memorandum of Understanding with ERF President John Doe for a "
            "partnership on relief.")
    assert run(text)[0].parties == ("Department of Youth Welfare and Development",
                                    "Eastern Resilience Foundation, Inc.")
    a = run("Jane Roe, Director of the Alpha Agency, and John Doe, President of the Beta "
            "Foundation, signed an agreement on training.")[0]
    assert a.parties == ("Alpha Agency", "Beta Foundation")


def test_en_between_names_all_the_parties() -> None:
    a = run("Speaking at the signing ceremony of a memorandum of understanding (MoU) between "
            "Ministry of Family Affairs (MOFA) and Saint Luke Hospital and Hope Relief, the "
            "minister praised the partners.")[0]
    assert a.parties == ("Ministry of Family Affairs", "Saint Luke Hospital", "Hope Relief")
    a = run("Jane Roe, Minister of Family Affairs, and John Doe, Northland Minister of Labour, "
            "signed a Memorandum of Understanding on cooperation between the governments of "
            "Southland and Northland covering five areas.")[0]
    assert a.parties == ("Southland", "Northland")


def test_en_headline_and_dateline_report_one_agreement() -> None:
    text = ("Alpha Way and Beta Charity Federation Sign Partnership Agreement\n\n"
            "LONDON, Sept. 4, 2019 /Newswire/ -- Alpha Way Worldwide and Beta Charity "
            "Federation today officially signed a partnership agreement. Delegations led by "
            "Alpha Way Worldwide President and CEO John Doe and Beta Charity Federation "
            "President Jane Roe signed the partnership agreement at the headquarters.")
    assert [(a.parties, a.date) for a in run(text)] == [
        (("Alpha Way Worldwide", "Beta Charity Federation"), "2019-09-04")]


def test_en_later_sentences_add_co_signers_and_the_date() -> None:
    text = ("The Delta Children Fund (DCF) and Omega government signed a Memorandum of "
            "Understanding on carers.\n"
            "Reports say that the Ministry of Health and Human Services, the Omega Training "
            "Agency (OTA) and the Omega State College signed for the state.\n"
            "Jane Roe, head of the DCF office, who signed for DCF, praised the plan.\n"
            "The MoU was signed at the annual session of the council, held on 3rd and 4th "
            "June, 2021, in Omega.")
    a = run(text)[0]
    assert a.parties == ("Delta Children Fund", "Omega government",
                         "Ministry of Health and Human Services", "Omega Training Agency",
                         "Omega State College")
    assert a.date == "2021-06-03"


def test_zh_signing_dated_by_the_ceremony_held_today_in_the_dateline() -> None:
    text = ("甲报北京4月9日讯(记者 王明)甲基金会与乙慈善基金会签约仪式今日在京举行。\n"
            "甲基金会秘书长赵一和乙基金会理事长钱二代表双方签署协议。")
    a = run(text)[0]
    assert (a.parties, a.date) == (("甲基金会", "乙慈善基金会"), "--04-09")


def test_zh_a_donation_gives_the_donor_and_the_recipient() -> None:
    a = run("6月1日,甲科技公司向乙市慈善总会捐赠善款100万元,并签署了捐赠协议。")[0]
    assert (a.title, a.parties) == ("捐赠协议", ("甲科技公司", "乙市慈善总会"))
    a = run("仪式上,甲实业集团向乙大学教育基金会捐赠200万元,双方签署了《助学捐赠协议》。")[0]
    assert a.parties == ("甲实业集团", "乙大学教育基金会")


def test_en_officials_from_bodies_sign_for_them() -> None:
    a = run("Officials from the Alpha Council and the Beta Board signed an agreement last week "
            "to share data.")[0]
    assert a.parties == ("Alpha Council", "Beta Board")


def test_zh_a_signing_reported_only_by_its_ceremony() -> None:
    a = run("11月2日,甲基金会、乙设计有限公司“关爱基金”2024-2028合作签约仪式在甲市举行。"
            "双方表示将继续合作。")[0]
    assert (a.title, a.parties, a.date, a.term) == (
        "“关爱基金”2024-2028合作", ("甲基金会", "乙设计有限公司"), "--11-02", "2024-2028")
    assert run("5月8日,甲学院与乙协会举行签约仪式。") == []  # nothing says what was agreed


def test_agreements_mentioned_but_not_reported_as_signed_here() -> None:
    assert run("甲公司董事长赵强表示,公司将严格履行与乙基金会签订的捐赠协议。") == []
    assert run("She signed a petition calling for the agreement to be scrapped.") == []
    a = run("In 2019, the two countries signed the Delta Accord, which ended the dispute.")[0]
    assert (a.title, a.parties) == ("Delta Accord", ())


def test_signings_still_to_come_are_not_reported() -> None:
    assert run("甲区民政局与乙大学将签署战略合作协议。") == []
    assert run("The city plans to sign a new agreement with Beta Region next year.") == []
    assert [a.title for a in run("The two sides met on Monday to sign an agreement on "
                                 "training.")] == ["agreement"]
    assert run("甲集团与乙基金会此前已签署为期五年的合作协议。")[0].title == "合作协议"
