"""Every sentence the assistant says in its own words, in one place, so wording changes in one place.

Policy content never comes from here: answers about policy quote the documents.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_OFFICE = "拨打当地政务服务便民热线"
"""No number: a refusal cites nothing, so any figure in it would be one no cited text holds (and 12345 beside a
question for a phone number reads as the texts' own)."""

# Where to go when the library has no rule: (what the question mentions, the office that handles it).
# General government-service vocabulary, not words of any one question.
OFFICES = (
    (r"医保|医疗保险|报销|看病", "当地医疗保障部门（医保局）"),
    (r"公积金", "当地住房公积金管理中心"),
    (r"社保|养老保险|养老金|失业保险|工伤|退休", "当地人力资源和社会保障部门"),
    (r"户口|户籍|身份证|居住证|落户|驾照|驾驶证", "当地公安机关（派出所或户籍窗口）"),
    (r"公租房|廉租房|保障房|住房保障|租房补贴", "当地住房保障部门"),
    (r"个税|个人所得税|纳税|发票|税务", "当地税务部门（或拨打纳税服务热线）"),
    (r"结婚|离婚|婚姻|收养|低保|最低生活保障|救助|殡葬|丧葬|火化|残疾|养老院|高龄|困难", "当地民政部门"),
    (r"学校|入学|上学|学籍", "当地教育部门"),
)


ASKS_CONTACT = r"电话|热线|网址|网站|\b(?:phone|telephone|hotline|website|web ?site|url)\b"
"""A number to call or a site to visit (民政部门 is where to go, not how to reach it)."""


def referral(question: str = "") -> str:
    """The hand-off: the office the topic belongs to where it is known, otherwise the government-service hotline; asked for
    a number to call, no number at all (the texts give none, and a hotline named here would read as theirs)."""
    if re.search(ASKS_CONTACT, unicodedata.normalize("NFKC", question).lower()):
        return CONTACT_REFERRAL
    for pattern, office in OFFICES:
        if re.search(pattern, question):
            return f"建议咨询{office}，或{DEFAULT_OFFICE}。"
    return f"建议{DEFAULT_OFFICE}咨询。"


def not_found(question: str = "") -> str:
    return "已收录的政策文件中没有找到对这个问题的直接规定，无法据此回答。" + referral(question)


def part_not_found(part: str) -> str:
    """One part of a question the library does not answer, beside a part it does."""
    return f"关于“{part}”，已收录的政策文件中没有找到直接规定，无法据此回答。" + referral(part)


RELATED_HEADER = "可能相关的规定（供参考，未必直接回答您的问题）："
REFUSE_INSTRUCTIONS = (
    "我只依据已收录的政策文件原文回答政策问题，不执行改变这一规则的要求，也不提供系统设置。"
    "您可以直接问文件里的内容，例如“社区社会组织达不到登记条件怎么办？”"
)
REFUSE_EVASION = (
    "我只依据已收录的政策文件原文回答政策问题，不提供伪造材料或规避监管的方法。"
    "文件对这类行为的法律责任有规定，您可以问，例如“伪造志愿服务记录要承担什么责任？”"
)
NOT_A_TASK = "我只依据已收录的政策文件原文回答问题，不代写文书，也不办理其他事务。"
INCOMPLETE_NOTICE = "注意：来源文本在此处不完整，条文在“{tail}”处中断，后续内容缺失。"
EMPTY_QUESTION = "请输入问题。"
NO_LETTERS = "没有看懂这个问题：请用文字描述您想了解的政策，例如“成立社会团体需要什么条件？”"
TOO_LONG = "问题太长了（{length} 字），请控制在 {limit} 字以内。"
BAD_AUDIENCE = "读者类型应为 resident（居民）、onboarding（新社工）或 staff（工作人员）之一，收到的是 “{value}”。"
ABSENT_DOCUMENT = "已收录的政策文件中没有{title}，无法据此回答。"
CITED_ELSEWHERE = "{number}这份文件本身没有收录；收录的文件中提到它的条文如下："
UNKNOWN_DOCUMENT = "没有找到名为“{name}”的文件。可用的文件：{known}。"
INTERNAL_ERROR = "处理这个问题时出错了，请稍后再试；如果反复出现，请联系管理员。"

# Clause look-up.
CLAUSE_HEADER = "《{title}》{reference}（{path}）原文如下："
NOT_IN_DOCUMENT = "《{title}》没有{text}。"
NO_SUCH_CLAUSE = "没有找到{where}“{text}”。{nearest}"
ONLY_ARTICLE = "{article}本身是有的，原文如下：\n{text}"
NEAREST_CLAUSES = "最接近的现有条款：{clauses}。"
AMBIGUOUS_CLAUSE = "“{text}”在多份文件中都有，请问您指的是哪一份？"
ALSO_MEANS = "（“{text}”也可能指：{others}。）"

# Metadata.
METADATA_LABELS = {
    "doc_number": "文号/令号",
    "issuer": "发布机关",
    "kind": "文件类型（效力层级）",
    "status": "效力状态",
    "title": "标题",
    "date": "公布/成文日期",
    "effective": "施行日期",
    "amended": "修订/修正情况",
    "addressees": "主送",
    "extent": "篇幅",
    "outline": "结构",
}
LIBRARY = "已收录{count}份文件（现行有效{in_force}份），可以问其中的规定、条文和文件本身（文号、施行日期、是否有效）："
LIBRARY_NOT_IN_FORCE = "已收录的{count}份文件中，{old}份已不再现行有效（保留供查阅历史，回答以现行文本为准）："
LIBRARY_ALL_IN_FORCE = "已收录的{count}份文件都现行有效。"
LIBRARY_OF_KIND = "已收录的{count}份文件中，{kind}有{of_kind}份（标题、文号、效力状态、发布机关）："
NO_VALUE = "文件中没有载明{label}"
WHICH_DOCUMENT = "您问的是哪一份文件？已收录的文件有：{examples}等。可以在问题里写上文件名称（如“{example}的施行日期”），用 assistant docs 可查看全部文件。"
GUESSED_DOCUMENT = "（问题没有写明文件名称，按问题内容理解为《{title}》。）"
SUPERSEDED_BY = "此为旧版本，已被《{title}》取代；现行规定以新版本为准。"
IN_FORCE_AS = "现行文本为{amended}后的文本"
SUPERSEDED = "此文本已被取代，仅供历史对照。"
CONFLICT = "注意：以上文件对这一点的规定不同（{details}），请以适用于您所在地区和事项的文件为准，必要时向主管部门确认。"
ALSO_ASKED = "关于“{part}”："
FOLLOW_UP = "（接着上一个问题“{question}”理解。）"

# Facets a question may ask for that policy text often does not set: (asked, what the caveat
# names, what in the quoted text would show it is set). The caveat is added when the quote lacks it.
NOT_A_FINE = r"(?![^，。；：]{0,16}罚款)"
"""After a sum: not one a fine is set at (处二万元以上二十万元以下罚款), unless the question asks about penalties."""
ASKS_PENALTY = re.compile(r"罚|penalt|\bfined?\b|punish")


def stated_for(evidence: str, asked: str) -> str:
    """How a clause states a detail, for this question (NFKC, lowercased): a fine's sum counts only when it asks
    about penalties (罚多少钱); 设立慈善信托最少要放多少钱 is not answered by 处二万元以上二十万元以下罚款."""
    return evidence.replace(NOT_A_FINE, "") if ASKS_PENALTY.search(asked) else evidence


_AMOUNT = (
    r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+)\s*万?元"
    + NOT_A_FINE
    + r"|无偿|免费|不得[\u4e00-\u9fff]{0,12}(?:收取|收费)"
    r"|收取[\u4e00-\u9fff]{0,6}(?:费用|报酬)|不收|\d+(?:\.\d+)?\s*%|百分之|分之"
)  # a sum, a share (不得高于10%) or a rule on charging (不得收取费用): not any number (60日内 is no fee)
_PERIOD = (
    r"(?:\d+|[一二三四五六七八九十百两半]+)\s*个?(?:年|月|日|天|周|季度|工作日|小时)|每(?:季度|月|年|周|半年)|日内|以内"
)
FREQUENCY = r"每\s*(?:\d+|[一二两三四五六七八九十半]+)?\s*个?(?:日|天|月|季度|年|周|届)"  # 每届任期五年: how often 换届
_HEADCOUNT = r"(?:\d+|[一二三四五六七八九十百千两]+)\s*万?(?:个|名|人|位|户)(?!次)|半数|分之|多数"  # 145万人; 3万元, 245万人次 are none
# How a question asks for a period or a headcount; assistant/facets.py looks for the clause stating it. 好几年,
# 这几天, 前几个月 (我前几天, ，前几天), 一借就是几个月 tell a story and ask nothing (提前几天, 选举前几天 ask).
ASKS_PERIOD = (
    r"多久|多长|(?<![好这那十])(?<!(?<![\u4e00-\u9fff])前)(?<![我你他她们就都也刚才]前)(?<!就是)(?:(?<!们)几|多少)个?(?:天|日|工作日|月|年|周)|工作日|期限|时限|截止"
    r"|how long|how soon|how many (?:(?:working|business|calendar) )?(?:days|weeks|months|years)|within how|deadline|time limit"
    r"|how often|how frequently|频率"
)
ASKS_FREQUENCY = r"(?:多久|多长时间?|几天|多少天|几个?月|几年|隔[\u4e00-\u9fff]{0,3})[\u4e00-\u9fff]{0,8}?一次|how often|how frequently|频率"
"""How often (多久公开一次, 几天要公开一次, how often): answered by 每五日, 每季度, 每三年, not by a period (十日内)."""


def asks_instead(pattern: str, asked: str) -> bool:
    """Whether a detail ``pattern`` matched in ``asked`` gives way to another asked: 多久公开一次 matches the period
    too, but asks how often."""
    return pattern == ASKS_PERIOD and bool(re.search(ASKS_FREQUENCY, asked))


_HOW_MANY = r"(?:多少|(?<![们这那好十])几)"
"""多少, or 几 asking (我们几户, 十几个人, 这几个 are "a few")."""
ASKS_HEADCOUNT = (
    _HOW_MANY + r"个?(?:人|名|位|户|会员|成员|委员)|人数|how many (?:people|persons|members|individuals|households)"
    r"|"
    + _HOW_MANY
    + r"(?:个|名|位)[\u4e00-\u9fff]{0,4}?(?:工作者|社工|志愿者|理事|监事|人员|干部)"  # 配几个社区工作者
    r"|(?:how many|number of) (?:\w+ ){0,2}(?:professionals|workers|volunteers|staff|members|people|persons|directors)"
)
CONTACT = "联系电话或网址"
CONTACT_REFERRAL = "请以当地民政部门或政务服务窗口公布的联系方式为准。"
FACETS = (
    (
        r"多少钱|费用|收费|交.{0,2}钱|价格|花多少|多少元|金额|额度|补贴标准|补助标准|多少资金|多少经费|赔多少|fee|cost"
        r"|多少[\u4e00-\u9fff]{0,4}(?:费|资金|经费|补贴|补助|奖励|奖金|工资)|(?:工资|薪酬|薪水|补贴|补助|奖金|报酬|保额|会费)[\u4e00-\u9fff]{0,8}(?:多少|几)"
        r"|how much|salary|\bdues\b",
        "具体金额或收费标准",
        _AMOUNT,
    ),
    (
        r"百分之(?:几|多少)|(?:比例|比率|占比)[\u4e00-\u9fff]{0,4}(?:多少|几)|多大比例|有没有个?比例|占[\u4e00-\u9fff]{0,3}多少"
        r"|what (?:percentage|proportion|share|ratio)",
        "具体比例",
        r"\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十]+|分之",
    ),
    (r"(?:多少|几)岁|年龄|岁数|how old|age limit", "具体年龄", r"(?:\d+|[一二三四五六七八九十]+)\s*周?岁"),
    (r"(?:多少|几)个?小时|how many hours", "具体时长", r"(?:\d+|[一二三四五六七八九十百]+)\s*个?小时"),
    (ASKS_HEADCOUNT, "具体人数", _HEADCOUNT),
    (r"哪一?年|年份|何年|what year|which year", "具体年份", r"\d{4}\s*年|[〇零一二三四五六七八九]{4}年"),
    (ASKS_FREQUENCY, "", FREQUENCY),  # which sentence to quote; what is not set is said of the period below
    (ASKS_PERIOD, "具体期限", _PERIOD),
    (
        r"(?:什么|哪些|啥|要|需要|准备|提交|交|带|提供)的?(?:材料|手续|证件|表格|证明)|(?:材料|手续|证件)(?:有|包括|是)"
        r"|documents?(?: are| is)? (?:needed|required)|what documents",
        "需要提交的材料或手续",
        r"材料|手续|证件|证明|表格|文件",
    ),
    (
        r"哪里办|去哪.{0,2}办|在哪.{0,2}(办|申请|登记|备案)|窗口|地址|\baddress\b|where (?:do|should|can) (?:i|we) (?:go|apply)",
        "办理地点",
        r"地址|窗口|民政部门|登记管理机关",
    ),
    (
        ASKS_CONTACT,
        CONTACT,
        r"电话|热线|网址|网站|\d{5,}|\d{3,4}-\d{7,8}",
    ),
    (  # a score: 要多少分, how many points (评估等级 is set by a score the texts leave to the standards)
        r"多少分(?!钟)|几分(?!钟|之)|分数|得分|how many points|\bscor(?:e|ed|ing)\b",
        "具体分数",
        r"\d+\s*分(?!之|别|支|类|为|期|工|配|级)",
    ),
)
NOT_SET = "以上条文没有规定{missing}。"

# Answer text per audience.
PLAIN = "简单说：{plain}"
QUOTE = "原文：“{quote}”"
WHERE_IN_DOCUMENT = "这一内容在《{title}》的「{part}」部分，位置：{path}。"
STAFF_BLOCK = "【{reference}】{text}"
RELATED_SENTENCE = "相关语句：“{quote}”"

# LLM answers (assistant.llm_service): what to fix when the configured chat service cannot be used.
# Each ends by saying the extractive answers go on; none ever contains the API key.
LLM_INCOMPLETE = "已设置 {given}，但没有设置 {missing}：两者都设置后才会使用大模型回答。本次使用摘录式回答。"
LLM_NOT_INSTALLED = (
    "已设置 ASSISTANT_LLM_BASE_URL，但没有安装大模型支持：请运行 pip install -e '.[llm]'。本次使用摘录式回答。"
)
LLM_KEY_REFUSED = "大模型服务拒绝了 API 密钥（HTTP {status}）：请检查 ASSISTANT_LLM_API_KEY。本次使用摘录式回答。"
LLM_KEY_MISSING = "大模型服务需要 API 密钥（HTTP {status}）：请设置 ASSISTANT_LLM_API_KEY。本次使用摘录式回答。"
LLM_NO_MODEL = (
    "大模型服务找不到模型 {model}（HTTP 404）：请检查 ASSISTANT_LLM_MODEL，"
    "以及 ASSISTANT_LLM_BASE_URL 是否为 OpenAI 兼容地址（通常以 /v1 结尾）。本次使用摘录式回答。"
)
LLM_UNREACHABLE = "无法连接大模型服务 {url}：请检查 ASSISTANT_LLM_BASE_URL 和网络。本次使用摘录式回答。"
LLM_TIMED_OUT = "大模型服务 {url} 在 {timeout:g} 秒内没有响应：请检查服务是否运行，或调大 ASSISTANT_LLM_TIMEOUT。本次使用摘录式回答。"
LLM_SERVICE_ERROR = "大模型服务出错（HTTP {status}）：请稍后再试或检查服务。本次使用摘录式回答。"
LLM_NOT_OPENAI = "大模型服务 {url} 的回复不是 OpenAI 兼容格式：请检查 ASSISTANT_LLM_BASE_URL（通常以 /v1 结尾）。本次使用摘录式回答。"
