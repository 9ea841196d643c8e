"""Reference data every installation starts with: the default work calendar's holidays and 调休 days,
and the bilingual customer templates (the English names are msgids too: a Chinese page shows them
translated, with the template's language by name). A data migration loads them (incidents/migrations/0004); staff keep
them current in the admin. The demo seed uses the same data."""
from django.utils.translation import gettext_noop

from .models.communication import TemplatePurpose

# 2025 and 2026 as published by the State Council (2025's 中秋节 fell inside 国庆节). Later years are loaded from
# each year's notice with `manage.py load_calendar <file>`; managers are warned in December while the next is missing.
HOLIDAYS = {
    "元旦": ["2025-01-01", "2026-01-01", "2026-01-02"],
    "春节": ["2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04",
             "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"],
    "清明节": ["2025-04-04", "2026-04-06"],
    "劳动节": ["2025-05-01", "2025-05-02", "2025-05-05", "2026-05-01", "2026-05-04", "2026-05-05"],
    "端午节": ["2025-06-02", "2026-06-19"],
    "中秋节": ["2026-09-25"],
    "国庆节": ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08",
             "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"],
}
MAKEUP_DAYS = {
    "春节调休": ["2025-01-26", "2025-02-08", "2026-02-14", "2026-02-28"],
    "劳动节调休": ["2025-04-27", "2026-05-09"],
    "国庆节调休": ["2025-09-28", "2025-10-11", "2026-09-20", "2026-10-10"],
    "元旦调休": ["2026-01-04"],
}
# {reissue_details} is written from the completed request (incidents/services/reissue_notice.py), so the notice
# never calls a red invoice the new one, nor a partly red-flushed invoice void.
REISSUE_NOTICE = {
    "zh-hans": ("重开发票通知", "关于发票 {invoice_number} 的处理结果",
                "尊敬的{contact_name}：\n\n您好！关于发票 {invoice_number}，处理结果如下：\n\n{reissue_details}\n\n"
                "红字发票和新开具的发票可在贵司的税务数字账户中查看，也可自开票次日起在全国增值税发票查验平台"
                "（inv-veri.chinatax.gov.cn）查验。给您带来不便，我们深表歉意。{incident_line}\n\n{signature}\n{today}"),
    "en": (gettext_noop("Reissue notice"), "About invoice {invoice_number}",
           "Dear {contact_name},\n\nThis is what we did about invoice {invoice_number}:\n\n{reissue_details}\n\n"
           "Red and new invoices are in your company's tax digital account, and on the national VAT invoice "
           "verification platform (inv-veri.chinatax.gov.cn) from the day after issue. We apologise for the "
           "trouble. {incident_line}\n\n{signature}\n{today}"),
}
# What earlier installations were seeded with; a migration replaces it where nobody edited it.
OLD_REISSUE_NOTICE_BODIES = (
    "尊敬的{contact_name}：\n\n原发票 {invoice_number} 已红冲，新发票号码为 {new_invoice_number}，"
    "请在税务系统中查验。事件编号：{incident_reference}。\n\n{rep_name}",
    "Dear {contact_name},\n\nInvoice {invoice_number} was cancelled by a red-letter invoice and reissued "
    "as {new_invoice_number}. Please verify it in the tax system. Reference: {incident_reference}.\n\n"
    "{rep_name}",
)
TEMPLATES = [
    ("apology", TemplatePurpose.APOLOGY, {
        "zh-hans": ("致歉函", "关于发票 {invoice_number} 的致歉",
                    "尊敬的{contact_name}：\n\n您好！贵司（{customer_name}）反映的发票 {invoice_number} 在税务系统中查询不到，"
                    "给您带来不便，我们深表歉意。我们已登记事件 {incident_reference}，正在处理，处理完毕后会第一时间通知您。\n\n"
                    "{rep_name}\n{today}"),
        "en": (gettext_noop("Apology"), "About invoice {invoice_number}",
               "Dear {contact_name},\n\nWe are sorry that invoice {invoice_number} issued to {customer_name} cannot be "
               "found in the tax system. We logged it as {incident_reference} and will let you know as soon as it "
               "is fixed.\n\n{rep_name}\n{today}"),
    }),
    ("reissue-notice", TemplatePurpose.REISSUE_NOTICE, REISSUE_NOTICE),
    ("resolution-notice", TemplatePurpose.RESOLUTION_NOTICE, {
        "zh-hans": ("处理完成通知", "事件 {incident_reference} 已处理完成",
                    "尊敬的{contact_name}：\n\n发票 {invoice_number} 现已可在税务系统中查询。感谢您的耐心等待。\n\n{rep_name}"),
        "en": (gettext_noop("Resolution notice"), "{incident_reference} is resolved",
               "Dear {contact_name},\n\nInvoice {invoice_number} can now be found in the tax system. Thank you for "
               "your patience.\n\n{rep_name}"),
    }),
]


