"""The area suggestion for public opinions (issue 12, seed 002's six areas and 其他).

`suggest_area(text)` returns one of the seven codes in AREA_CHOICES, always: empty, blank or
junk input (no Chinese character, or nothing the model knows) is "other".

The model is a scikit-learn pipeline: TF-IDF over character 1–3-grams (sublinear tf) next to a
small keyword prior (one feature per area: how many of its words occur, weighted lightly), and
a LinearSVC with balanced class weights. It is trained from the committed hand-written sample
(opinions/data/areas.csv) the first time it is needed and kept for the life of the process;
`train(rows)` retrains it from the sample plus staff-confirmed rows (the "retrain from confirmed
data" command calls it). Nothing is downloaded; training takes well under a second.
"""

from __future__ import annotations

import csv
import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.pipeline import make_pipeline, make_union  # type: ignore[import-untyped]
from sklearn.preprocessing import FunctionTransformer  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

OTHER: Final = "other"

# The codes of the API's `suggested_area`/`area`, with the labels staff and the public see.
AREA_CHOICES: Final[tuple[tuple[str, str], ...]] = (
    ("talent", "人才队伍建设"),
    ("primary", "基层卫生服务能力"),
    ("digital", "信息化建设"),
    ("service", "医疗服务水平"),
    ("management", "医疗机构管理"),
    ("enforcement", "卫生监督执法"),
    (OTHER, "其他"),
)
AREA_CODES: Final[tuple[str, ...]] = tuple(code for code, _ in AREA_CHOICES)
AREA_LABELS: Final[dict[str, str]] = dict(AREA_CHOICES)

SAMPLE_PATH: Final = Path(__file__).resolve().parent / "data" / "areas.csv"

# Words that point at an area whoever writes them. They carry knowledge the sample alone may
# lack (synonyms, other writers' words); the classifier learns how much each area's count counts.
AREA_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "talent": tuple(
        "编制 编外 招聘 招人 招不 招录 考编 人才 引进 职称 晋升 评审 工资 薪酬 待遇 收入 津贴 "
        "五险一金 绩效工资 培训 进修 规培 学历 人手 缺人 缺医生 缺护士 紧缺 短缺 流失 留不住 "
        "养老保险 合同制 合同工 临时工 同工同酬 加班费 夜班费 接班 队伍 定向 带教 骨干 "
        "学科带头人 医学生".split()
    ),
    "primary": tuple(
        "村卫生室 卫生室 卫生院 卫生所 社区卫生 服务站 社区医院 医务室 家庭医生 家医 签约 "
        "基层 乡镇 乡村 村医 村里 农村 镇医院 医共体 下沉 公共卫生 公卫 随访 慢病 接种点 "
        "家门口 就近 山区 偏远 巡回 巡诊 家庭病床 小病不出".split()
    ),
    "digital": tuple(
        "app 系统 网上 线上 在线 手机 小程序 公众号 微信 扫码 二维码 自助机 信息化 信息 平台 "
        "电子 数据 互联网 网络 网站 软件 电脑 智能 智慧 远程 健康码 医保码 互认 验证码 登录 "
        "注册 实名 死机 卡顿 闪退 放号 抢号 上传 下载 健康档案".split()
    ),
    "service": tuple(
        "排队 候诊 等候 等待 等了 态度 不耐烦 误诊 漏诊 诊断 解释 沟通 医患 技术 扎针 护理 "
        "看病难 挂不上 流程 手术 床位 急诊 耐心 冷漠 敷衍 隐私 治疗 病情 查房 医术 输液 抽血".split()
    ),
    "management": tuple(
        "收费 乱收费 多收 费用 清单 押金 停车 厕所 卫生间 食堂 餐厅 饭菜 护工 陪护 保安 保洁 "
        "红包 回扣 医药代表 医德医风 行风 管理 后勤 外包 标识 指示牌 电梯 环境 推诿 投诉 "
        "号贩子 黄牛 院长 院务 采购 装修 维修 太平间".split()
    ),
    "enforcement": tuple(
        "无证 非法 违法 违规 行医 黑诊所 地下诊所 执业证 执业医师 资质 健康证 卫生许可 许可证 "
        "监督 执法 查处 取缔 举报 消毒 职业病 职业健康 尘肺 粉尘 噪声 水质 二次供水 饮用水 "
        "自来水 游泳 宾馆 酒店 理发 美容 医美 足浴 浴池 公共场所 虚假 广告 医疗废物 放射 "
        "辐射 控烟 禁烟 游医 秘方 超范围 冒充 性别鉴定".split()
    ),
    OTHER: tuple(
        "医保 报销 参保 新农合 社保 备案 感谢 谢谢 点赞 表扬 锦旗 满意 请问 咨询 问一下 "
        "怎么办理 如何办理 公交 地铁 交通 出行 道路 马路 路灯 房价 买房 物价 物业 供暖 扰民 "
        "养老金 退休 低保 扶助金 生育津贴 产假 垃圾".split()
    ),
}
# The prior's weight beside the L2-normalised TF-IDF row: enough to tip close calls, not to
# outvote the text (chosen by cross-validation on the sample and on hotline-style opinions).
KEYWORD_WEIGHT: Final = 0.12

_WHITESPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Only the beginning of a very long text is read (opinions are short; this bounds the work).
MAX_CHARS: Final = 2000


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, whitespace runs to one space, trimmed."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])
    return _WHITESPACE.sub(" ", text).strip().lower()[:MAX_CHARS]


def keyword_counts(texts: Iterable[str]) -> Any:
    """One column per area (AREA_CODES order): log(1 + occurrences of the area's words)."""
    rows = [
        [math.log1p(sum(text.count(word) for word in AREA_KEYWORDS[code])) for code in AREA_CODES]
        for text in texts
    ]
    matrix = np.asarray(rows, dtype=float).reshape(len(rows), len(AREA_CODES))
    return sparse.csr_matrix(matrix * KEYWORD_WEIGHT)


def build_pipeline() -> Any:
    """An untrained pipeline; it takes normalised texts (see `normalise`)."""
    features = make_union(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
        FunctionTransformer(keyword_counts, accept_sparse=True),
    )
    return make_pipeline(features, LinearSVC(class_weight="balanced"))


def load_sample(path: Path = SAMPLE_PATH) -> list[tuple[str, str]]:
    """The rows (area, text) of a sample file with the columns area,text."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["area"], row["text"]) for row in csv.DictReader(handle)]


class _Model:
    """A trained pipeline and what it was trained on."""

    def __init__(self, pipeline: Any, rows: int) -> None:
        self.pipeline = pipeline
        self.rows = rows

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Codes for normalised texts; "other" for junk or for texts with no known feature."""
        result = [OTHER] * len(texts)
        readable = [i for i, text in enumerate(texts) if _CJK.search(text)]
        if not readable:
            return result
        batch = [texts[i] for i in readable]
        union = self.pipeline.named_steps["featureunion"]
        tfidf = union.named_transformers["tfidfvectorizer"].transform(batch)
        known = np.asarray(tfidf.getnnz(axis=1)).ravel() > 0
        predicted = self.pipeline.predict(batch)
        for i, code, is_known in zip(readable, predicted, known, strict=True):
            result[i] = str(code) if is_known and code in AREA_LABELS else OTHER
        return result


_lock = threading.Lock()
_model: _Model | None = None


def _fit(rows: Sequence[tuple[str, str]]) -> _Model:
    texts: list[str] = []
    labels: list[str] = []
    for number, (area, text) in enumerate(rows, start=1):
        if area not in AREA_LABELS:
            raise ValueError(f"row {number}: unknown area {area!r}")
        normalised = normalise(text)
        if normalised:
            texts.append(normalised)
            labels.append(area)
    pipeline = build_pipeline()
    pipeline.fit(texts, labels)
    return _Model(pipeline, len(texts))


def train(rows: Iterable[tuple[str, str]] = ()) -> int:
    """Retrain from the committed sample plus `rows` (area, text), e.g. areas staff confirmed;
    the new model replaces the old one for every thread at once. Returns the rows used.

    Raises ValueError for an area code outside AREA_CHOICES (nothing is replaced then)."""
    global _model
    model = _fit([*load_sample(), *rows])
    with _lock:
        _model = model
    return model.rows


# How often a process looks whether the confirmed areas file changed (a `retrain-areas`
# run by the administrator): the web workers pick the new model up within this time.
RECHECK_SECONDS = 60.0
_checked_at = 0.0
_confirmed_stamp: float | None = None


def confirmed_path() -> Path:
    """Where `huiyin retrain-areas` keeps the areas staff confirmed (area,text)."""
    from django.conf import settings

    default = Path(settings.VAR_DIR) / "areas_confirmed.csv"
    return Path(getattr(settings, "HUIYIN_AREAS_CONFIRMED", default))


def _stamp(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _current() -> _Model:
    """The model: the committed sample plus the confirmed areas, retrained when the file of
    confirmed areas changes (looked at once a minute at most)."""
    global _model, _checked_at, _confirmed_stamp
    model = _model
    now = time.monotonic()
    if model is not None and now - _checked_at < RECHECK_SECONDS:
        return model
    with _lock:
        _checked_at = now
        path = confirmed_path()
        stamp = _stamp(path)
        if _model is None or stamp != _confirmed_stamp:
            extra = load_sample(path) if stamp is not None else []
            _model = _fit([*load_sample(), *extra])
            _confirmed_stamp = stamp
        return _model


def suggest_areas(texts: Iterable[str]) -> list[str]:
    """One code of AREA_CHOICES per text, in order."""
    normalised = [normalise(text) if isinstance(text, str) else "" for text in texts]
    if not normalised:
        return []
    return _current().predict(normalised)


def suggest_area(text: str) -> str:
    """The code of AREA_CHOICES this opinion most likely belongs to ("other" for junk)."""
    return suggest_areas([text])[0]
