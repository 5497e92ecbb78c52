"""A corpus generator for the benchmarks: distinct news documents, and their events.

Two things come out of here:

* :func:`documents` — document texts made from the seeds by varying their sentences: the
  people's names (taken from the seeds' gold annotations), the places and every number are
  replaced at random, so each generated document is distinct (identical copies would be
  deduplicated by content hash and measure nothing).  These go through the real ingest path.
* :func:`document_events` — the events ingesting such a document records (one
  ``document.added``, then per extractor its facts and a completion marker, as one batch),
  built directly, without running the extractors.  The proportions follow what the built-in
  extractors find in the seeds (per document about 20 people, 12 statistics, 4 meetings,
  1–2 agreements), so logs can be preloaded cheaply and still look like real ones.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from collections.abc import Iterator
from pathlib import Path

from factfold.events import (
    Agreement,
    DocumentAdded,
    Envelope,
    ExtractionCompleted,
    Meeting,
    Person,
    Statistic,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# The people named in each seed (from its gold annotations), longest first so that a name
# containing another is replaced whole.
SEED_NAMES = [
    "Rose Henderson", "Lei Weiming", "Shi Bainian", "He Jianmin", "Lei Weimin", "Wang Jiwu",
    "Liu Jing", "麦合木提江·艾麦提", "法比安·马奎因", "艾曼纽·哈默尔", "杰罗姆·瓦秋明",
    "约翰·吉拉德", "塞西尔·肖莱", "陈志刚", "陈红涛", "刘正洪", "杨玉龙", "高建国", "蒋文龄",
    "靳亚平", "赵蓬奇", "管林森", "王和山", "刘晔华", "贾志仁", "陈存根", "刘国强", "李志刚",
    "张跃忠", "于建鑫", "李文红", "吴玉霞", "刘秀萍", "王金丽", "任建华", "王克让", "顾光海",
    "李传旭", "柳清海", "魏礼群", "刘利嘉", "戴爱姣", "关冬生", "谢乐乐", "张兴建", "杜佳楣",
    "白美燕", "刘振宇", "张本平", "张首映", "沈小平", "李敏兰", "官蒲光", "雷鸣", "张伟",
    "王芳", "邱陇", "陈立", "张杰", "田青", "田帅", "黄琦", "吴敏", "李伟", "乔恒", "王勇",
    "康鹏", "王兵", "周惠", "战勇", "王谦", "张周", "杨中", "周冰", "倪健", "哲凯", "刘京",
]
SEED_PLACES_ZH = ["宁夏回族自治区", "灵武市", "乌鲁木齐", "武清区", "新疆", "北京", "天津"]
SEED_PLACES_EN = ["Guangxi Zhuang Autonomous Region", "Nanning", "Guangxi", "Beijing"]

ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
               "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江")
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红志建国文德海林波辉鹏宇浩晨阳博"
EN_FIRST = ["Anna", "Ben", "Chen", "David", "Elena", "Fatima", "George", "Hui", "Ivan", "Julia",
            "Kenji", "Li", "Maria", "Nadia", "Omar", "Paula", "Qiang", "Rosa", "Samuel", "Tao"]
EN_LAST = ["Smith", "Wang", "Garcia", "Zhang", "Müller", "Liu", "Okafor", "Chen", "Rossi",
           "Kim", "Nguyen", "Silva", "Huang", "Novak", "Zhao", "Dubois", "Sun", "Khan"]
ZH_PLACES = ["杭州市", "成都市", "西安市", "长沙市", "昆明市", "合肥市", "南昌市", "贵阳市",
             "兰州市", "福州市", "济南市", "太原市", "南宁市", "海口市", "银川市", "西宁市",
             "呼和浩特市",
             "石家庄市", "郑州市", "武汉市", "沈阳市", "长春市", "哈尔滨市", "拉萨市"]
EN_PLACES = ["Kunming", "Chengdu", "Hangzhou", "Xi'an", "Changsha", "Hefei", "Guiyang",
             "Lanzhou", "Fuzhou", "Jinan", "Taiyuan", "Haikou", "Yinchuan", "Xining"]
ZH_TITLES = ["会长", "副会长", "秘书长", "理事长", "主任", "副主任", "处长", "党委书记", "院长"]
ZH_ORGS = ["中国社会工作联合会", "中国社会工作者协会", "省社会工作协会", "市民政局",
           "社会工作服务中心", "儿童社会救助工作委员会", "公益基金会", "社会工作学院"]
UNITS = ["人", "名", "个", "家", "人次", "元", "万元", "所", "支", "期", "次", "项",
         "社会工作者", "社会工作专业人才", "people", "organizations", "projects", "yuan"]
MEETINGS = ["社会工作发展论坛", "换届大会", "理事会", "工作推进会", "研讨会", "培训班",
            "Cooperation and Development Forum", "Annual Congress"]
KINDS = ("agreements", "meetings", "people", "statistics")

_DIGITS = re.compile(r"\d+")
#: a sentence (or a title line), with what ends it
_SENTENCE = re.compile(r"[^。！？!?\n]+?(?:[。！？!?]+|\.\s+|\n|$)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _zh_name(rng: random.Random) -> str:
    return rng.choice(ZH_SURNAMES) + "".join(rng.choices(ZH_GIVEN, k=rng.choice((1, 2))))


def _en_name(rng: random.Random) -> str:
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def person_name(rng: random.Random) -> str:
    """A name as the generator writes them (mostly Chinese, as the seeds are)."""
    return _zh_name(rng) if rng.random() < 0.8 else _en_name(rng)


def _number(rng: random.Random, m: re.Match[str]) -> str:
    digits, after = m.group(0), m.string[m.end():m.end() + 1]
    if after == "月":
        return str(rng.randint(1, 12))
    if after in "日号" and after:
        return str(rng.randint(1, 28))
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return str(rng.randint(2000, 2026))  # a year stays a plausible year
    if len(digits) == 1:
        return str(rng.randint(1, 9))
    return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))


@functools.cache
def extractors() -> tuple[tuple[str, str], ...]:
    """(name, version) of the registered built-in extractors, so preloaded documents count
    as extracted (not pending) for the versions installed now."""
    from factfold.pluginmanager import PluginHost

    return tuple((ex.name, ex.version) for ex in PluginHost().extractors() if ex.name in KINDS)


def _load_seeds() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not texts:
        raise FileNotFoundError(f"no seed documents in {SEEDS}; the corpus is made from them")
    return texts


def _pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def documents(count: int, seed: int = 1, sentences: int | None = None) -> Iterator[bytes]:
    """``count`` distinct UTF-8 documents, varied from the seeds (deterministic per ``seed``);
    with ``sentences``, each is that many consecutive sentences of a seed, from a random
    one: short documents, quick to extract, for tests that need many."""
    rng = random.Random(seed)
    seeds = _load_seeds()
    split = [[m.group(0).strip() for m in _SENTENCE.finditer(t) if m.group(0).strip()]
             for t in seeds]
    names, places_zh, places_en = (_pattern(SEED_NAMES), _pattern(SEED_PLACES_ZH),
                                   _pattern(SEED_PLACES_EN))
    seen: set[bytes] = set()
    made = 0
    while made < count:
        text = seeds[made % len(seeds)]
        if sentences is not None:
            parts = split[made % len(seeds)]
            start = rng.randrange(max(1, len(parts) - sentences + 1))
            text = " ".join(parts[start:start + sentences]) + "\n"
        chinese = bool(_CJK.search(text[:200]))
        mapping: dict[str, str] = {}

        def name(m: re.Match[str], chinese: bool = chinese,
                 mapping: dict[str, str] = mapping) -> str:
            # The same person keeps one new name throughout a document.
            old = m.group(0)
            if old not in mapping:
                mapping[old] = _zh_name(rng) if chinese and _CJK.match(old) else _en_name(rng)
            return mapping[old]

        text = names.sub(name, text)
        text = places_zh.sub(lambda m: rng.choice(ZH_PLACES), text)
        text = places_en.sub(lambda m: rng.choice(EN_PLACES), text)
        text = _DIGITS.sub(lambda m: _number(rng, m), text)
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).digest()  # not the text: 100k documents are ~1 GB
        if digest in seen:  # vanishingly rare; but a copy would be deduplicated: make another
            continue
        seen.add(digest)
        made += 1
        yield data


def _facts(rng: random.Random, name: str, n: int, text_len: int, doc_id: str, ref: str):
    out = []
    for _ in range(n):
        start = rng.randrange(0, max(1, text_len - 40))
        common = {"span": (start, start + rng.randint(4, 40)), "doc_id": doc_id, "extractor": ref}
        if name == "people":
            who = person_name(rng)
            fact = Person(name=who, title=rng.choice(ZH_TITLES), organization=rng.choice(ZH_ORGS),
                          **common, evidence=f"{rng.choice(ZH_ORGS)}{rng.choice(ZH_TITLES)}{who}")
        elif name == "statistics":
            value = rng.randint(1, 50000)
            unit = rng.choice(UNITS)
            fact = Statistic(value=float(value), unit=unit, text=f"{value}{unit}",
                             approx=rng.choice((None, None, "more_than", "about")),
                             **common, evidence=f"共有{value}{unit}参加")
        elif name == "meetings":
            meeting = f"第{rng.randint(1, 30)}届{rng.choice(MEETINGS)}"
            fact = Meeting(name=meeting, date=f"20{rng.randint(10, 26)}-{rng.randint(1, 12):02d}-"
                           f"{rng.randint(1, 28):02d}", location=rng.choice(ZH_PLACES),
                           organizers=(rng.choice(ZH_ORGS),), **common,
                           evidence=f"{meeting}在{rng.choice(ZH_PLACES)}举行")
        else:
            title = f"{rng.choice(ZH_ORGS)}战略合作协议"
            fact = Agreement(title=title, parties=(rng.choice(ZH_ORGS), rng.choice(ZH_ORGS)),
                             date=None, term=rng.choice((None, "2023-2027")), **common,
                             evidence=f"双方签署《{title}》")
        out.append(fact)
    return out


#: mean facts per document per extractor, from the built-in extractors on the seeds
FACTS_PER_DOC = {"people": (10, 30), "statistics": (6, 18), "meetings": (1, 6),
                 "agreements": (0, 3)}


def document_events(data: bytes, path: str, rng: random.Random) -> list[list[Envelope]]:
    """The batches ingesting ``data`` at ``path`` records: the document, then per extractor
    its facts and completion marker (as :mod:`factfold.extraction` appends them)."""
    doc_id = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8")
    added = Envelope(DocumentAdded(doc_id=doc_id, path=path, text=text, encoding="utf-8",
                                   size=len(data)), stream=f"doc:{doc_id}")
    batches = [[added]]
    for name, version in extractors():
        ref = f"{name}@{version}"
        lo, hi = FACTS_PER_DOC[name]
        facts = _facts(rng, name, rng.randint(lo, hi), len(text), doc_id, ref)
        marker = ExtractionCompleted(doc_id=doc_id, extractor=name, version=version,
                                     fact_count=len(facts))
        batches.append([added.caused(f, producer=ref) for f in [*facts, marker]])
    return batches


def event_batches(events: int, seed: int = 7) -> Iterator[list[Envelope]]:
    """Batches of a realistic log holding at least ``events`` events (whole documents)."""
    rng = random.Random(seed)
    made = 0
    for i, data in enumerate(documents(10**9, seed)):
        for batch in document_events(data, f"inbox/{i:08d}.txt", rng):
            yield batch
            made += len(batch)
        if made >= events:
            return
