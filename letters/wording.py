"""The wording and letterhead of the 答复函, the 征询意见表 and the 催办通知单 — the part a commission adapts.

Edit the strings below to change what the letters say; the page layout (GB/T 9704-2012:
margins, 22 lines × 28 characters, type sizes) is in ``letters/layout.py`` and is not meant
to change from one commission to another.

Strings are Python ``str.format`` templates. The fields they may use:

- ``{kind_word}``   建议 or 提案 (by the case's category)
- ``{session}``     the case's 届次, e.g. 市十五届人大五次会议 (may be empty)
- ``{number}``      the case's number, e.g. 20260005
- ``{title}``       the case's title, e.g. 关于加强基层医疗卫生人才队伍建设的建议
- ``{year}``        the year of the letter (the reply's signing year)
- ``{code}``        the 发文机关代字 of reply letters (console › 发文设置), e.g. 武卫函
- ``{doc_number}``  the letter's 发文字号, e.g. 武卫函〔2026〕17号 (given at 签发)
- ``{you}``         您 (a person) or 你们 (a collective: 党派、界别、专委会)
- ``{units}``       the outside agencies that gave their opinion (会同 …), joined by 、
- ``{name}``        the proposer's name
- ``{what}`` / ``{due}``  one commitment and its date (COMMITMENT_ITEM only)
- ``{contact}`` / ``{phone}``  the reply's contact person and telephone
- ``{commission}``  the commission's name (console › 发文设置)
"""

from letters.models import NoticeKind

# ── 版头 (letterhead) ────────────────────────────────────────────────────────────────
# The red 发文机关标志 printed above the red double line. None: the commission's name
# (console › 发文设置). "": no letterhead at all, for printing on paper with a
# pre-printed 红头.
LETTERHEAD: str | None = None
LETTERHEAD_COLOR = "E60012"  # 红色 (RGB hex)
LETTERHEAD_SIZE_PT = 36

# ── 发文字号 ─────────────────────────────────────────────────────────────────────────
# The 代字 and the yearly numbering are configured in the console (发文设置); the number is
# given at 签发 and stored on the reply (letters.actions.take_number). A draft prints the
# 代字 and year with the number left blank.
DOC_NUMBER = "{doc_number}"

# ── 标题 ─────────────────────────────────────────────────────────────────────────────
KIND_WORD = {"npc_suggestion": "建议", "cppcc_proposal": "提案"}
TITLE = "关于{session}第{number}号{kind_word}的答复"
TITLE_CO = "关于{session}第{number}号{kind_word}的会办意见"

# ── 主送 ─────────────────────────────────────────────────────────────────────────────
# A person is addressed by name and title; a collective (party, sector, committee, other)
# by its name alone.
ADDRESS_TITLE = {"deputy": "代表", "member": "委员"}
YOU_PERSON = "您"
YOU_COLLECTIVE = "你们"

# ── 正文 ─────────────────────────────────────────────────────────────────────────────
OPENING = "{you}提出的《{title}》（第{number}号）收悉。{handled}现答复如下："
HANDLED = "我委高度重视，认真研究办理，"
HANDLED_WITH = "我委高度重视，会同{units}认真研究办理，"
# Our 会办 opinion goes to the external lead agency, not to the proposer.
OPENING_CO = "{name}提出的《{title}》（第{number}号）收悉。经认真研究，现将我委会办意见函告如下："

BODY_PLACEHOLDER = "【请在此处填写答复正文】"

COMMITMENTS_INTRO = "我委承诺："
COMMITMENT_ITEM = "{index}. {what}（完成时间：{due}）"

CLOSING = "感谢{you}对卫生健康工作的关心和支持！"
CLOSING_CO = "特此函告。"

# ── 署名、附注、版记 ─────────────────────────────────────────────────────────────────
# None: the commission's name (console › 发文设置).
SIGNATURE: str | None = None
NOTE = "（联系人：{contact}，联系电话：{phone}）"
BLANK = "　　　　"  # what stands in for a missing contact, phone or date part
# The 抄送 bodies until an administrator sets them in the console (发文设置).
COPY_TO = {
    "npc_suggestion": ["市人大常委会代表工委", "市政府督查室"],
    "cppcc_proposal": ["市政协提案委", "市政府督查室"],
}
COPY_TO_CO: list[str] = []
COPY_TO_LINE = "抄送：{names}。"
PRINTED_BY = "{commission}办公室"
PRINTED_ON = "{date}印发"

# ── 征询意见表 ───────────────────────────────────────────────────────────────────────
LEVEL_PREFIX = {"provincial": "省", "municipal": "市", "county": "县"}
FORM_TITLE = {
    "npc_suggestion": "{level}人大代表建议办理情况征询意见表",
    "cppcc_proposal": "{level}政协提案办理情况征询意见表",
}
FORM_NUMBER_LABEL = "{kind_word}编号"
FORM_TITLE_LABEL = "{kind_word}标题"
FORM_LEAD_LABEL = "领衔人"
FORM_UNIT_LABEL = "承办单位"
FORM_CLASS_LABEL = "答复类别"
FORM_DATE_LABEL = "答复日期"
FORM_RESULT_LABEL = "办理结果评价"
FORM_ATTITUDE_LABEL = "办理态度评价"
FORM_CHOICES = ["满意", "基本满意", "不满意"]
FORM_COMMENT_LABEL = "意见和建议"
FORM_SIGNATURE_LABEL = "代表（委员）签名"
FORM_SIGNED_ON_LABEL = "日期"
FORM_DATE_BLANK = "年　　月　　日"
FORM_FOOTNOTE = (
    "说明：请在相应的“□”内打“√”，并于收到答复之日起一个月内将此表反馈{commission}"
    "（联系人：{contact}，联系电话：{phone}）。"
)
# Under the QR code of the proposer's link, when the form is printed with one (portal).
FORM_LINK_NOTE = "也可用手机扫描二维码，查看办理进度并在线评价（无需注册，仅限本人使用）：{url}"

# ── 催办通知单 (letters.urge) ─────────────────────────────────────────────────────────
# The 代字 of the notices numbered here rather than in the console (letters.models.
# NoticeKind): the 催办通知单 reads 卫健催〔2026〕3号. Numbers already given keep theirs.
NOTICE_CODES: dict[str, str] = {NoticeKind.URGE: "卫健催"}
URGE_TITLE = "催办通知单"
# Its fields: those of the letters above, and {unit} (the lead unit), {handler} (its
# handler), {deadline}, {target}, {status} (剩余/超期 N 个工作日 on the day it was sent),
# {issuer} (who sent it), {deadline_word} (答复期限, or 会办意见期限 for a 会办 case).
# The office signs what the coordinator sends; a unit head signs with the unit's name.
URGE_FROM_OFFICE = "{commission}办公室"
URGE_FROM_UNIT = "{commission}{sender_unit}"
# To the lead unit (the office urged) or to the handler by name (the unit head urged).
URGE_TO_UNIT = "{unit}："
URGE_TO_HANDLER = "{handler}同志："
URGE_CASE_UNIT = (
    "你处主办的{session}第{number}号{kind_word}《{title}》，{deadline_word}为{deadline}，{status}。"
)
URGE_CASE_HANDLER = (
    "你承办的{session}第{number}号{kind_word}《{title}》，{deadline_word}为{deadline}，{status}。"
)
URGE_DEADLINE_WORD = {False: "答复期限", True: "会办意见期限"}  # True: a 会办 case
URGE_STATUS_LEFT = "现剩余{days}个工作日"
URGE_STATUS_TODAY = "今天到期"
URGE_STATUS_OVERDUE = "已超期{days}个工作日"
URGE_STATUS_PASSED = "已超过答复期限"  # past a deadline that fell on a rest day
URGE_ASK_TARGET = "请抓紧办理，于{target}前形成答复稿，按程序报送审核。"
URGE_ASK = "请抓紧办理，确保按期答复。"
URGE_NOTE = "催办意见：{note}"
URGE_CLOSING = "特此催办。"
URGE_CONTACT = "（联系人：{issuer}）"

# ── 字体 ─────────────────────────────────────────────────────────────────────────────
# (font, fallback): the fallback is written into the document's font table as the
# alternative name, which Word uses where the first font is not installed.
FONTS = {
    "title": ("方正小标宋简体", "宋体"),
    "letterhead": ("方正小标宋简体", "宋体"),
    "body": ("仿宋_GB2312", "仿宋"),
    "heading1": ("黑体", "SimHei"),
    "heading2": ("楷体_GB2312", "楷体"),
    "page_number": ("宋体", "SimSun"),
}
