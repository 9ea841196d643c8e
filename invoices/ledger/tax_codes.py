"""税收分类编码 (19 digits) and the 简称 a printed 数电 invoice puts before the item name: "*信息技术服务*软件开发服务".

The tax authority's table has thousands of rows; this holds the branches our sellers use, longest prefix first. A
code under no known branch is refused (the issue rules say which), so a new branch is added here, not guessed.
"""
import re

CODE_RE = re.compile(r"[0-9]{19}")
_PRINTED_PREFIX_RE = re.compile(r"^\*[^*]+\*")

# The six top-level parts of the table (first digit).
TOP_LEVEL = {
    "1": "货物",
    "2": "劳务",
    "3": "销售服务",
    "4": "销售无形资产",
    "5": "销售不动产",
    "6": "未发生销售行为的不征税项目",
}

# Prefix -> 简称, as printed between asterisks.
SHORT_NAMES = {
    "1010101": "谷物",
    "1030203": "酒",
    "1070101": "化学药品制剂",
    "1090511": "计算机配套产品",
    "10905": "计算机",
    "1090999": "医疗仪器器械",
    "1100101": "电力",
    "1090315": "汽车",
    "30101": "运输服务",
    "30102": "邮政服务",
    "30103": "电信服务",
    "30105": "建筑服务",
    "30106": "金融服务",
    "3040201": "信息技术服务",
    "3040202": "信息技术服务",
    "3040203": "信息技术服务",
    "30402": "信息技术服务",
    "30403": "文化创意服务",
    "30404": "物流辅助服务",
    "3040501": "融资租赁服务",
    "3040502": "经营租赁",
    "30406": "鉴证咨询服务",
    "30407": "广播影视服务",
    "3040801": "企业管理服务",
    "3040802": "经纪代理服务",
    "3040803": "人力资源服务",
    "30408": "商务辅助服务",
    "30409": "其他现代服务",
    "30701": "文化体育服务",
    "30702": "教育医疗服务",
    "30703": "旅游娱乐服务",
    "30704": "餐饮服务",
    "30705": "住宿服务",
    "30706": "居民日常服务",
    "40101": "技术",
    "40102": "商标和著作权",
    "50101": "建筑物",
    "50102": "构筑物",
    "601": "预付卡销售和充值",
}
_BY_LENGTH = sorted(SHORT_NAMES, key=len, reverse=True)


def short_name(code):
    """The 简称 of a 19-digit code, or "" when the code is malformed or under no known branch."""
    code = str(code or "")
    if not CODE_RE.fullmatch(code):
        return ""
    for prefix in _BY_LENGTH:
        if code.startswith(prefix):
            return SHORT_NAMES[prefix]
    return ""


def is_known_code(code):
    return bool(short_name(code))


def printed_item_name(name, code):
    """The item name as the invoice prints it: "*简称*name"; a name that already carries a *…* prefix keeps it."""
    name = str(name or "")
    if _PRINTED_PREFIX_RE.match(name):
        return name
    short = short_name(code)
    return f"*{short}*{name}" if short else name
