"""The people extractor on crafted sentences (made-up people) and on the seeds, and nlp."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import GOLD

from factfold import Document, Person
from factfold.evaluation import load_gold, score
from factfold.plugins import nlp, people

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = GOLD


def extract(text: str) -> list[Person]:
    return list(people.extract(Document(doc_id="d", path="d.txt", text=text)))


def roles(text: str) -> set[tuple[str, str | None, str | None]]:
    return {(p.name, p.title, p.organization) for p in extract(text)}


def test_org_title_name_chain_and_shared_body() -> None:
    got = roles("北京市民政局局长李明华、副局长赵小军出席会议并讲话。")
    assert got == {("李明华", "局长", "北京市民政局"), ("赵小军", "副局长", "北京市民政局")}


def test_two_titles_of_one_body_and_a_carried_body_after_a_comma() -> None:
    got = roles("会议由市委常委、秘书长孙立平主持,省文联党组书记、主席钱卫东,副主席吴佳致辞。")
    assert ("孙立平", "常委", "市委") in got
    assert ("孙立平", "秘书长", "市委") in got
    assert ("钱卫东", "党组书记", "省文联") in got
    assert ("钱卫东", "主席", "省文联") in got
    assert ("吴佳", "副主席", "省文联") in got


def test_concurrent_post_with_jian_is_one_title() -> None:
    assert roles("某市慈善总会副会长兼秘书长郑晓燕介绍了情况。") == {
        ("郑晓燕", "副会长兼秘书长", "某市慈善总会")
    }


def test_former_post_keeps_yuan_and_a_title_runs_over_a_name_list() -> None:
    got = roles("省慈善总会原会长何平、名誉会长钱志远,省社会工作协会理事赵一鸣、孙二娃等参加活动。")
    assert ("何平", "原会长", "省慈善总会") in got
    assert ("钱志远", "名誉会长", "省慈善总会") in got
    assert ("赵一鸣", "理事", "省社会工作协会") in got
    assert ("孙二娃", "理事", "省社会工作协会") in got


def test_reporter_credit() -> None:
    assert roles("■ 本报记者 林小雨\n\n昨日,某协会召开理事会。") == {("林小雨", "记者", "本报")}
    assert ("刘洋", "记者", None) in roles("本报讯(记者 刘洋)近日,某协会召开理事会。")


def test_transliterated_name_with_middle_dot() -> None:
    assert roles("英国社会工作者协会主席玛丽·史密斯在会上发言。") == {
        ("玛丽·史密斯", "主席", "英国社会工作者协会")
    }


def test_title_words_inside_other_words_make_no_person() -> None:
    assert extract("秘书长工作会议在京召开,会长会议同期举行,理事会审议了报告。") == []


def test_person_named_twice_is_one_person_with_all_posts() -> None:
    text = "省文联主席钱卫东出席。钱卫东表示,要做好工作。大学教授钱卫东也作了发言。"
    found = extract(text)
    assert {p.name for p in found} == {"钱卫东"}
    assert {(p.title, p.organization) for p in found} == {("主席", "省文联"), ("教授", "大学")}


def test_english_apposition_with_two_posts() -> None:
    got = roles(
        "At the forum, John Smith, Vice President and Secretary-General of the Global Care "
        "Association and President of Care Weekly, said the plan works."
    )
    assert got == {
        ("John Smith", "Vice President and Secretary-General", "Global Care Association"),
        ("John Smith", "President", "Care Weekly"),
    }


def test_english_caption_honorific_and_title_before_name() -> None:
    got = roles(
        "(Ms. Jane Doe, Vice President of GCA & Chairman of Helping Hands.)\n\n"
        "Prime Minister Anna Lindqvist opened the session."
    )
    assert ("Jane Doe", "Vice President", "GCA") in got
    assert ("Jane Doe", "Chairman", "Helping Hands") in got
    assert ("Anna Lindqvist", "Prime Minister", None) in got


def test_title_after_the_name_and_department_bodies() -> None:
    # a rank after the name with no body is a form of address, not a post (guidelines)
    assert roles("张三教授指出,社会工作需要专业化。") == {("张三", None, None)}
    assert roles("张三主任指出,社会工作需要专业化。") == {("张三", "主任", None)}
    got = roles("清华大学社会学系主任、教授沈原出席。")
    assert ("沈原", "主任", "清华大学社会学系") in got


def test_english_title_name_of_org_and_bare_reported_speech() -> None:
    got = roles("It was attended by Professor Linda Park of Oxford University. Peter Brown said.")
    assert got == {("Linda Park", "Professor", "Oxford University"), ("Peter Brown", None, None)}


def test_english_spelling_variants_fold_into_one_person() -> None:
    found = extract(
        "(Mr. Tom Weiming, President of Harbor Social Work Society)\n\n"
        "Later, Tom Weimin, President of Harbor Society of Social Workers, spoke. "
        "Tom Weimin said the forum matters."
    )
    assert {p.name for p in found} == {"Tom Weimin"}
    assert all(p.aliases == ("Tom Weiming",) for p in found)
    assert len(found) == 1  # the caption and the text name one post


def test_spans_point_at_the_name() -> None:
    text = "前言。\n\n北京市民政局局长李明华出席。"
    (person,) = extract(text)
    assert text[person.span[0] : person.span[1]] == "李明华"
    assert "李明华" in person.evidence


def test_nlp_routing_sentences_and_layout_breaks() -> None:
    assert nlp.script("Tom Smith said 你") == "en"
    assert nlp.script("中国社会工作联合会") == "zh"
    text = "第一句。第二句!\n\nThird one. Fourth?"
    expected = ["第一句。", "第二句!", "Third one.", "Fourth?"]
    assert [text[a:b] for a, b in nlp.sentences(text)] == expected
    long_line = "这是一个被版面切断的很长很长的段落" * 3 + "中国"
    joined = long_line + "\n\n银行总经理某某介绍了情况。"
    assert len(nlp.sentences(joined)) == 1


def test_nlp_tag_batches_and_keeps_offsets() -> None:
    texts = ["北京市民政局局长李明华出席会议。", "", "某协会会长赵小军讲话。"]
    tagged = nlp.tag(texts)
    assert len(tagged) == 3 and tagged[1] == []
    for text, tokens in zip(texts, tagged, strict=True):
        assert "".join(t.word for t in tokens) == text
        assert all(text[t.start : t.end] == t.word for t in tokens)
    assert any(t.tag == "PER" and t.word == "李明华" for t in tagged[0])


def test_jieba_fallback_maps_tags_and_drops_names_without_a_surname() -> None:
    tagger = nlp._JiebaTagger()
    (tokens,) = tagger.run(["灵武市长李明华在北京出席会议。"])
    assert "".join(t.word for t in tokens) == "灵武市长李明华在北京出席会议。"
    tags = {t.word: t.tag for t in tokens}
    assert tags["李明华"] == "PER"
    assert tags["北京"] == "LOC"
    assert tags.get("灵武") != "PER"  # jieba says nr; 灵 is no surname


def test_seed_scores_meet_the_targets() -> None:
    records = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        doc = Document(doc_id=path.stem, path=str(path), text=path.read_text(encoding="utf-8"))
        for fact in people.extract(doc):
            records.append({"kind": "person", "source": path.name, **fact.attributes()})
    result = score(load_gold(SEED_GOLD), records, kinds=["people"]).kinds["people"]
    assert result.counts.f1 >= 0.90
    assert result.roles is not None and result.roles.recall >= 0.85


@pytest.mark.parametrize("text", ["", "   \n\n", "No people here at all.", "今天天气很好。"])
def test_texts_without_people(text: str) -> None:
    assert extract(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("通讯员 周晓梅\n\n某协会召开理事会。", ("周晓梅", "通讯员", None)),
        ("本报讯(记者 程远 通讯员 邵明亮)近日,某协会召开理事会。", ("邵明亮", "通讯员", None)),
        ("记者 程远 孟凡 报道", ("孟凡", "记者", None)),
        ("实习生 高山 报道", ("高山", "实习生", None)),
        ("摄影 黄晨光", ("黄晨光", "摄影", None)),
        ("文/图 韩立新", ("韩立新", None, None)),
        ("By our reporter Kevin Marsh\n\nThe forum opened.", ("Kevin Marsh", "reporter", None)),
        ("The forum opened on Monday. (Reporter Nina Ford)", ("Nina Ford", "Reporter", None)),
    ],
)
def test_bylines_license_their_names(text: str, expected: tuple[str, str | None, None]) -> None:
    assert expected in roles(text)


def test_posts_after_names_in_elections_and_appointments() -> None:
    got = roles("蒋文涛、卢思远、魏敏当选为副会长,潘国庆为秘书长。")
    assert {(n, t) for n, t, _ in got} == {
        ("蒋文涛", "副会长"),
        ("卢思远", "副会长"),
        ("魏敏", "副会长"),
        ("潘国庆", "秘书长"),
    }
    assert ("宋立平", "监事长", None) in roles("大会选举宋立平为监事长。")
    assert ("邱红梅", "会长", None) in roles("邱红梅被选举为会长。")
    assert ("范志刚", "主任", "协会秘书处") in roles("范志刚任协会秘书处主任。")
    assert ("严海波", "法律顾问", None) in roles("协会聘请严海波为法律顾问。")
    got = roles("林海、高峰共同担任组长。")
    assert got == {("林海", "组长", None), ("高峰", "组长", None)}


def test_election_without_a_body_takes_the_subject_body() -> None:
    text = "杭州市青少年事务社会工作协会召开换届大会。会议选举产生新一届理事会,彭宇航当选会长。"
    assert ("彭宇航", "会长", "杭州市青少年事务社会工作协会") in roles(text)


def test_names_outside_the_surname_shape() -> None:
    assert ("山田太郎", None, None) in roles("山田太郎是一名社工。")
    assert ("艾力·买买提", None, None) in roles("艾力·买买提是一名社会工作者。")


def test_back_reference_to_the_subject_body_is_resolved_not_glued() -> None:
    got = roles("某市慈善联合会会长田志远介绍,联合会秘书长许文斌出席了会议。")
    assert ("许文斌", "秘书长", "某市慈善联合会") in got


def test_chains_joined_by_jian_and_de() -> None:
    got = roles("某市师范大学副教授兼某市社会工作协会委员邹晓峰作了发言。")
    assert got == {("邹晓峰", "副教授", "某市师范大学"), ("邹晓峰", "委员", "某市社会工作协会")}
    assert roles("来自某市师范大学的副教授邹晓峰作了发言。") == {
        ("邹晓峰", "副教授", "某市师范大学")
    }
    assert roles("某市民政局局长兼秘书长李明华讲话。") == {("李明华", "局长兼秘书长", "某市民政局")}


def test_group_delegates_are_no_posts() -> None:
    assert roles("社工代表蔡雨欣、学生代表钟浩发言。") == {
        ("蔡雨欣", None, None),
        ("钟浩", None, None),
    }


def test_english_names_in_other_positions() -> None:
    got = roles("Among the guests at the ceremony were Robert Hale, Susan Grant and Omar Bakri.")
    assert got == {
        ("Robert Hale", None, None),
        ("Susan Grant", None, None),
        ("Omar Bakri", None, None),
    }
    got = roles("Anna Lee succeeds Paul Brenner, who served as Director of the Harbor Care Centre.")
    assert ("Paul Brenner", "Director", "Harbor Care Centre") in got
    # a profession in apposition is a role with no body (the guidelines' clarifications);
    # the town after "from" is where she comes from, not a body
    assert roles("The talk was given by Maria Costa, a social worker from Lisbon.") == {
        ("Maria Costa", "social worker", None)
    }
    got = roles("The session was chaired by Henry Walsh, Chairman of the River Valley Trust.")
    assert got == {("Henry Walsh", "Chairman", "River Valley Trust")}


def test_english_post_away_from_name_former_and_bare_honorifics() -> None:
    got = roles(
        "The Green Leaf Foundation held its board meeting. "
        "The board elected Laura Stein as Secretary-General of the foundation."
    )
    assert ("Laura Stein", "Secretary-General", "Green Leaf Foundation") in got
    got = roles("The award went to Victor Hugh, former President of the Northern Care Association.")
    assert got == {("Victor Hugh", "former President", "Northern Care Association")}
    assert roles("Dr. Ellen Park said the plan works.") == {("Ellen Park", None, None)}
    found = extract("Prof. Sam Reed spoke at the event. Sam Reid said it was good.")
    assert [(p.name, p.title, p.aliases) for p in found] == [("Sam Reed", None, ("Sam Reid",))]


def test_surname_and_post_is_an_alias_of_the_person_named_in_full() -> None:
    found = extract("市民政局局长周明远出席会议。周局长在讲话中指出,要做好社工站建设。")
    assert [(p.name, p.title, p.aliases) for p in found] == [("周明远", "局长", ("周局长",))]
    # Nobody named 吴 in full: 吴主任 is a form of address, not a name.
    assert extract("会上,吴主任通报了全年工作。") == []


def test_given_name_mention_is_an_alias_and_repeats_no_post() -> None:
    found = extract("区关工委执行主任刘建林出席。建林主任指出,要关心下一代。")
    assert [(p.name, p.title, p.organization, p.aliases) for p in found] == [
        ("刘建林", "执行主任", "区关工委", ("建林",))
    ]


def test_declared_abbreviation_of_a_body_is_no_person() -> None:
    text = "北京瑞丰科技有限公司(简称“瑞丰科技”)与协会签约。仪式上,瑞丰科技向基金会捐赠100万元。"
    assert extract(text) == []


def test_tagged_name_run_on_into_the_next_phrase_is_cut() -> None:
    assert roles("市社会工作协会副秘书长陈焱林就社工协会角色定位问题指出,协会应该服务会员。") == {
        ("陈焱林", "副秘书长", "市社会工作协会")
    }
    assert {p.name for p in extract("研究院院长邹迈和敦和公益基金会理事长签署协议。")} == {"邹迈"}


def test_everyday_words_after_a_post_are_no_names() -> None:
    names = {p.name for p in extract(
        "增补王立等12人为常务理事、市社工协会等9家单位为常务理事单位代表。"
        "学院院长张伟及社工协会指导老师应邀出席。")}
    assert names == {"王立", "张伟"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新华社南京5月3日电(钱明远)今天,全市社工站全部建成。", {("钱明远", None, None)}),
        ("本次活动取得圆满成功。\n(孙晓红)\n", {("孙晓红", None, None)}),
        ("本次活动取得圆满成功。孙晓红", {("孙晓红", None, None)}),
        ("志愿者为老人义诊。 邵立群 摄\n活动现场。", {("邵立群", None, None)}),
        ("撰稿:何丽 摄影:许晨 编辑|顾小燕 编审:邓志强",
         {("何丽", "撰稿", None), ("许晨", "摄影", None), ("顾小燕", "编辑", None),
          ("邓志强", "编审", None)}),
        ("会议取得圆满成功。\n任重道远", set()),
        ("会议取得圆满成功。\n(完)", set()),
    ],
)  # fmt: skip
def test_credits_without_a_credit_word(text: str, expected: set) -> None:
    assert roles(text) == expected


# Three sentences without people, so that the sentence under test is past the lead, which
# is tagged whatever it holds.
_LEAD = "社区开展重阳敬老活动。活动在社区广场举行。现场气氛热烈。"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("会议结束时,市社会工作协会何明亮秘书长在发言中表示,协会要服务会员。",
         {("何明亮", "秘书长", "市社会工作协会")}),
        ("今年90岁的柯志清老人为大家唱了一首歌。", {("柯志清", None, None)}),
        ("活动上,省电视台主持人季雨桐分享了自己的公益故事。", {("季雨桐", "主持人", "省电视台")}),
    ],
)  # fmt: skip
def test_names_before_a_post_or_a_person_noun_past_the_lead(sentence: str, expected: set) -> None:
    assert roles(_LEAD + sentence) == expected


def test_posts_given_after_a_list_count_a_new_term_or_a_form_of_address() -> None:
    lead = "市社会工作协会召开第二届理事会。"
    assert roles(lead + "会上,增补周海等12名个人(单位)为市社会工作协会理事。") == {
        ("周海", "理事", "市社会工作协会")
    }
    # the elected post is the meeting body's, not the body of the post held already
    assert roles(lead + "会议选举市民政局副局长钱立为新会长。") == {
        ("钱立", "副局长", "市民政局"), ("钱立", "会长", "市社会工作协会")
    }
    assert roles("韩梅老师作为市社工服务中心兼职副总干事,介绍了服务情况。") == {
        ("韩梅", "兼职副总干事", "市社工服务中心")
    }


def test_a_bare_post_after_the_name_repeats_a_post_held() -> None:
    text = ("市社会工作协会会长周立新,常务副会长兼秘书长郑和平出席会议。"
            "郑和平秘书长提出,要加强党建。")
    assert roles(text) == {
        ("周立新", "会长", "市社会工作协会"), ("郑和平", "常务副会长兼秘书长", "市社会工作协会")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("自治区民政厅副厅长努尔兰别克哈比扎出席会议。",
         {("努尔兰别克哈比扎", "副厅长", "自治区民政厅")}),
        ("牧民扎西多吉说,日子越来越好。", {("扎西多吉", None, None)}),
        ("会长张三、秘书长李四出席。", {("张三", "会长", None), ("李四", "秘书长", None)}),
    ],
)  # fmt: skip
def test_minority_names_written_without_the_dot(text: str, expected: set) -> None:
    assert roles(text) == expected


def test_latin_name_addressed_in_chinese_text() -> None:
    text = "会上,Sophia 教授和John Smith先生分享了经验,Google 总裁表示支持。"
    assert roles(text) == {("Sophia", None, None), ("John Smith", None, None)}


def test_a_name_the_dictionary_knows_is_read_after_a_post_though_tagged_a_verb() -> None:
    assert roles("区社会组织联合会综合党委、副书记雷鸣介绍了经验。") == {
        ("雷鸣", "副书记", "区社会组织联合会综合党委")
    }


def test_the_elected_post_takes_no_body_named_later_in_the_sentence() -> None:
    text = ("市社工联合会召开理事会。会议选举市民政局副局长钱立为会长,理事单位30家,"
            "包含各区社工协会、市慈善基金会等团体。")
    assert roles(text) == {("钱立", "副局长", "市民政局"), ("钱立", "会长", "市社工联合会")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("李宁·体育公司向学校捐赠运动装备。", set()),
        ("此次活动由爱心企业陈氏·家具赞助。", set()),
        ("格林·美家超市为老人送去米面油。", set()),
        ("法国驻华大使塞西尔·肖莱会见了协会会长。", {("塞西尔·肖莱", "驻华大使", "法国")}),
        ("新疆代表艾尔肯·吐尼亚孜发言。", {("艾尔肯·吐尼亚孜", None, None)}),
    ],
)  # fmt: skip
def test_brands_with_a_dot_are_no_people(text: str, expected: set) -> None:
    assert roles(text) == expected


def test_surname_with_a_form_of_address_is_an_alias_when_the_full_name_is_known() -> None:
    found = extract("会长张明远出席。张老表示,要关心下一代。")
    assert [(p.name, p.aliases) for p in found] == [("张明远", ("张老",))]
    found = extract("志愿者刘晓东参加。小刘说,很开心。")
    assert [(p.name, p.aliases) for p in found] == [("刘晓东", ("小刘",))]
    # nobody named 王 in full: the mention stays as the text gives it
    assert [p.name for p in extract("社区居民王先生表示,社工服务很贴心。")] == ["王先生"]


def test_an_elected_post_belongs_to_the_body_not_to_its_numbered_session() -> None:
    text = ("大会由江苏省社会工作者协会第二届理事会副会长兼秘书长周雅琴主持。"
            "同日召开的监事会会议选举市社工协会副会长马志强为监事长。")
    assert ("马志强", "监事长", "江苏省社会工作者协会") in roles(text)
