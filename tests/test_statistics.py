"""The statistics extractor on crafted sentences (what counts, what does not) and on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import GOLD

from factfold import Document, Statistic
from factfold.evaluation import load_gold, score
from factfold.plugins import statistics
from factfold.plugins.numbers import parse_en, parse_zh

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = GOLD


def extract(text: str) -> list[Statistic]:
    return list(statistics.extract(Document(doc_id="d", path="d.txt", text=text)))


def triples(text: str) -> list[tuple[str, float, str, str | None]]:
    return [(s.text, s.value, s.unit, s.approx) for s in extract(text)]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("3.16万", 31600), ("6.5亿", 650000000), ("160多万", 1600000), ("十三", 13),
     ("两", 2), ("数百万", 1000000), ("十几", 10), ("1,200", 1200), ("三五", None)],
)  # fmt: skip
def test_parse_zh_normalises_and_drops_vague_characters(numeral: str, value: int | None) -> None:
    assert parse_zh(numeral) == value


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("3,000", 3000), ("1.2 million", 1200000), ("forty-five", 45), ("two hundred", 200),
     ("three hundred thousand", 300000), ("many", None)],
)  # fmt: skip
def test_parse_en(numeral: str, value: int | None) -> None:
    assert parse_en(numeral) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("累计使用资金超过8亿元。", [("超过8亿元", 800000000, "元", "more_than")]),
        ("全省现有社工90多万人。", [("90多万人", 900000, "人", "more_than")]),
        ("服务对象达2万多个家庭。", [("2万多个", 20000, "个", "more_than")]),
        ("培训志愿者5200余人次。", [("5200余人次", 5200, "人次", "more_than")]),
        ("全市共有社工机构约120家。", [("约120家", 120, "家", "about")]),
        ("从业人员2000人左右。", [("2000人左右", 2000, "人", "about")]),
        ("至少有30名志愿者参加。", [("至少有30名", 30, "名", "at_least")]),
        ("全国共有逾250万社会工作者。",
         [("逾250万社会工作者", 2500000, "社会工作者", "more_than")]),
        ("过去8年间，项目持续开展。", [("8年", 8, "年", None)]),
        ("签署了七项合作协议。", [("七项", 7, "项", None)]),
        ("覆盖率达到95%，提升了百分之十五。",
         [("95%", 95, "%", None), ("百分之十五", 15, "%", None)]),
        ("新增社工站1,200个。", [("1,200个", 1200, "个", None)]),
        ("数十名专家出席。", [("数十名", 10, "名", "more_than")]),
        ("增长了2.5倍。", [("2.5倍", 2.5, "倍", None)]),
        ("吸引了近千名代表。", [("近千名", 1000, "名", "about")]),
        ("超过万人次受益。", [("超过万人次", 10000, "人次", "more_than")]),
        ("全市近百家机构参与。", [("近百家", 100, "家", "about")]),
        ("开展培训200余场次。", [("200余场次", 200, "场次", "more_than")]),
        ("服务5名儿童和20名师生。", [("5名", 5, "名", None), ("20名", 20, "名", None)]),
    ],
)  # fmt: skip
def test_chinese_quantities(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2019年，第十二届年会在2020年度报告中提到，双方合作进入第9个年头。",  # years, ordinals
        "5月20日上午，90年代出生，三年级学生，建党100周年。",  # dates, decades, grades
        "落实“十四五”规划和《2023年社会工作发展报告》，推进“三社联动”。",  # names, titles
        "这是一个重要的项目，一批社工机构，开展一系列活动。",  # 一 + measure word
        "三番五次，千家万户，一举两得，三天两头，货比三家，死路一条。",  # numeral idioms
        "建党百年，千年古镇，万人空巷。",  # a bare 百/千/万 is not a count
        "坚持两个维护，增强四个意识，落实八项规定，统筹五位一体总体布局。",  # slogans
        "实施三年行动计划，二期工程顺利推进。",  # numbers naming plans and phases
        "5年前，每周三开会。",  # points in time, weekdays
        "两部门联合发文。",  # 两部门: 部门 is a noun, not 部 + 门
        "七台河市和三门峡市的代表。",  # place names starting with numerals
        "电话：010-12345678，邮编100070，第08版。",  # phone, postal, page numbers
    ],
)
def test_chinese_non_statistics(text: str) -> None:
    assert triples(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("活动吸引一万四千余人次参与。", [("一万四千余人次", 14000, "人次", "more_than")]),
        ("全县常住人口三万五千人。", [("三万五千人", 35000, "人", None)]),
        ("报名者两万三千人。", [("两万三千人", 23000, "人", None)]),
        ("累计投入一亿二千多万元。", [("一亿二千多万元", 120000000, "元", "more_than")]),
        ("惠及1万4千人。", [("1万4千人", 14000, "人", None)]),
        ("筹款1亿2000万元。", [("1亿2000万元", 120000000, "元", None)]),
        ("覆盖十二亿三千四百万人。", [("十二亿三千四百万人", 1234000000, "人", None)]),
        ("登记一万零五人。", [("一万零五人", 10005, "人", None)]),
        ("受益群众3.2万余人。", [("3.2万余人", 32000, "人", "more_than")]),
        ("截至5万2023年的数据。", []),  # a section needs its own magnitude
    ],
)  # fmt: skip
def test_compound_chinese_numerals_are_read_whole(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("该赛事已连续四届落户本市。", [("四届", 4, "届", None)]),
        ("论坛至今已举办六届。", [("六届", 6, "届", None)]),
        ("大赛共举办了5届，评出奖项。", [("5届", 5, "届", None)]),
        ("今年查处案件31起，移送8宗。", [("31起", 31, "起", None), ("8宗", 8, "宗", None)]),
        ("开展两轮培训，累计收治12例。", [("两轮", 2, "轮", None), ("12例", 12, "例", None)]),
        ("捐赠500箱物资、200袋大米，完成交易30笔，展出50幅作品，颁发10枚奖章。",
         [("500箱", 500, "箱", None), ("200袋", 200, "袋", None), ("30笔", 30, "笔", None),
          ("50幅", 50, "幅", None), ("10枚", 10, "枚", None)]),
    ],
)  # fmt: skip
def test_count_measure_words(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "第五届论坛在此开幕。",  # ordinal with 第
        "出席十四届全国人大二次会议，学习二十届三中全会精神。",  # ordinal without 第
        "届时三届毕业生返校。",  # 届时; a cohort, not a count
        "新规从3月1日起施行，3起诉讼，三起三落。",  # 起 of dates, verbs, idioms
        "他是一起参加的，骑三轮车来，坚持宗旨。",  # 一起, 三轮车
        "双方签约30个项目。",  # 签约 is not 约 "about"
    ],
)
def test_measure_word_look_alikes(text: str) -> None:
    assert [t for t in triples(text) if t[3] == "about" or t[2] in "届起宗轮"] == []


def test_same_value_with_other_qualifier_is_another_fact() -> None:
    text = "上半年逾9万人参与，下半年约9万人参与。全年逾9万人参与。"
    assert triples(text) == [
        ("逾9万人", 90000, "人", "more_than"),
        ("约9万人", 90000, "人", "about"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("女性约占62%。", [("约占62%", 62, "%", "about")]),
        ("社工占比约55%。", [("约55%", 55, "%", "about")]),
        ("老年人约占全市总人口的18%。", [("18%", 18, "%", "about")]),
        ("近两年，服务了100人。", [("两年", 2, "年", None), ("100人", 100, "人", None)]),
        ("近三年来成效明显。", [("三年", 3, "年", None)]),
        ("该项目历时近两年。", [("近两年", 2, "年", "about")]),
        ("近千名志愿者，近3000人参加。",
         [("近千名", 1000, "名", "about"), ("近3000人", 3000, "人", "about")]),
        ("附近3个社区都参加了。", [("3个", 3, "个", None)]),
    ],
)  # fmt: skip
def test_separated_and_time_qualifiers(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spending exceeded 150 billion yuan.",
         [("exceeded 150 billion yuan", 150000000000, "yuan", "more_than")]),
        ("Donations topped US$2 million.",
         [("topped US$2 million", 2000000, "US$", "more_than")]),
        ("An estimated 5,000 residents benefited.",
         [("An estimated 5,000 residents", 5000, "residents", "about")]),
        ("Well over 40% were elderly; about 40% were women.",
         [("Well over 40%", 40, "%", "more_than"), ("about 40%", 40, "%", "about")]),
        ("Nearly 50 projects in around 20 cities reached approximately 1,000 households.",
         [("Nearly 50 projects", 50, "projects", "about"),
          ("around 20 cities", 20, "cities", "about"),
          ("approximately 1,000 households", 1000, "households", "about")]),
    ],
)  # fmt: skip
def test_english_qualifiers(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


def test_quoted_speech_keeps_its_figures_but_short_quoted_terms_do_not() -> None:
    found = triples("他说：“我们去年服务了3000多名老人，今年还要翻番。”开展“六个一”活动。")
    assert found == [("3000多名", 3000, "名", "more_than")]


def test_repeated_figure_is_one_fact_with_span_and_evidence() -> None:
    text = "全市有社工站45个。其中，45个社工站已运营。"
    facts = extract(text)
    assert len(facts) == 1
    fact = facts[0]
    assert text[fact.span[0] : fact.span[1]] == fact.text == "45个"
    assert fact.evidence == "全市有社工站45个。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one sentence never gives one figure twice for the same thing
        ("甲协会等17名个人被增补为理事;乙协会等17名个人被增补为理事。",
         [("17名", 17, "名", None), ("17名", 17, "名", None)]),
        # the same sum for two unrelated things
        ("公司送上了价值10万元的过冬物品。另一家公司还向学校捐赠了助学款10万元。",
         [("10万元", 100000, "元", None), ("10万元", 100000, "元", None)]),
        # the same thing again
        ("全省21个地级市均已建站。会议要求,21个地级市年内完成任务。", [("21个", 21, "个", None)]),
        ("Workers across the 36 states came. The bill covers all 36 states of the country.",
         [("36 states", 36, "states", None)]),
    ],
)  # fmt: skip
def test_equal_figures_are_one_fact_only_for_the_same_thing(text: str, expected: list) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("More than 3,000 social workers attended.",
         [("More than 3,000 social workers", 3000, "social workers", "more_than")]),
        ("About 40% of them were women.", [("About 40%", 40, "%", "about")]),
        ("The project received 1.2 million yuan.", [("1.2 million yuan", 1200000, "yuan", None)]),
        ("At least 25 organisations joined.",
         [("At least 25 organisations", 25, "organisations", "at_least")]),
        ("It trained 4,000+ volunteers over the past 13 years.",
         [("4,000+ volunteers", 4000, "volunteers", "more_than"), ("13 years", 13, "years", None)]),
    ],
)  # fmt: skip
def test_english_quantities(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


def test_english_non_statistics() -> None:
    text = (
        "On 16 November 2018, the 2nd forum marked the 40th anniversary; in 2017 the "
        "twenty-fourth meeting of the 21st century was held. Call 010-1234-5678. On June 5 "
        "leaders met 5 years ago; Article 5 applies to Grade 3 pupils in the 1990s."
    )
    assert triples(text) == []


def test_seeds_meet_the_target() -> None:
    records = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for fact in extract(path.read_text("utf-8")):
            records.append({"kind": "statistic", "source": path.name, **fact.attributes()})
    counts = score(load_gold(SEED_GOLD), records, kinds=["statistics"]).kinds["statistics"]
    assert counts.counts.f1 >= 0.9
    assert counts.attributes["approx"].accuracy >= 0.9
    assert counts.attributes["text"].accuracy >= 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 唯一 + 向 + 两家: a word ends at the first numeral, so no "N x N y" idiom
        ("这是全区唯一向两家机构购买服务的街道。", [("两家", 2, "家", None)]),
        # the dictionary's rare 家商 is no everyday noun: 家 is the measure word
        ("共有12家爱心企业、3家商协会参加。", [("12家", 12, "家", None), ("3家", 3, "家", None)]),
        # a noun straight after 千 written with a digit or a qualifier
        ("活动组织了近6千志愿者参与。", [("近6千志愿者", 6000, "志愿者", "about")]),
        ("招募3千社工。", [("3千社工", 3000, "社工", None)]),
        # the session of a term is an ordinal
        ("协会第四届二次理事会议召开,开展培训三次。", [("三次", 3, "次", None)]),
    ],
)  # fmt: skip
def test_measure_words_nouns_and_sessions(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


def test_bare_thousands_and_idioms_stay_out() -> None:
    assert triples("千山万水,百花齐放,三千弟子,三番五次。") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a currency sign before the number is the unit as written
        ("It allocates $120,000 a year.", [("$120,000", 120000, "$", None)]),
        ("Schools received RMB 3 million.", [("RMB 3 million", 3000000, "RMB", None)]),
        # South Asian magnitudes
        ("The camp served over one lakh people and raised Rs 2.5 crore.",
         [("over one lakh people", 100000, "people", "more_than"),
          ("Rs 2.5 crore", 25000000, "Rs", None)]),
        # a number joined to a noun of count or length by a hyphen
        ("A seven- member panel runs the 500-bed hospital's three-year plan.",
         [("seven- member", 7, "member", None), ("500-bed", 500, "bed", None),
          ("three-year", 3, "year", None)]),
        ("A 3-year-old girl ate two-thirds of it in a one-on-one talk.", []),
    ],
)  # fmt: skip
def test_english_currencies_magnitudes_and_compounds(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected


def test_numbers_in_a_quoted_english_title_and_its_translation_are_names() -> None:
    text = ("A report on “the Top 10 Stories of Chinese Charity in 2019” "
            "(2019年度中国慈善十大新闻) was released. "
            "He said “we trained 300 volunteers in three cities” at the event.")
    assert triples(text) == [("300 volunteers", 300, "volunteers", None),
                             ("three cities", 3, "cities", None)]


def test_a_period_said_again_is_one_fact() -> None:
    text = "社工站近两年累计走访1.6万余次。她说,服务点两年来为600多户家庭提供帮扶。"
    assert triples(text) == [("两年", 2, "年", None), ("1.6万余次", 16000, "次", "more_than"),
                             ("600多户", 600, "户", "more_than")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("More than two dozen NGOs joined.",
         [("More than two dozen NGOs", 24, "NGOs", "more_than")]),
        ("The state got N50 million; each family received P2,000.",
         [("N50 million", 50000000, "N", None), ("P2,000", 2000, "P", None)]),
        ("It gave ₦2.5 billion and 500 N95 masks.", [("₦2.5 billion", 2500000000, "₦", None)]),
    ],
)  # fmt: skip
def test_english_dozens_and_letter_currencies(text: str, expected: list[tuple]) -> None:
    assert triples(text) == expected
