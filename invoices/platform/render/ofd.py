"""The invoice as OFD (GB/T 33190): a zip with OFD.xml pointing at Doc_0/Document.xml, one page of text objects,
and the invoice XML attached, which is what readers of 数电 OFD files extract the data from."""
import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from invoices.platform.render.document import yuan
from invoices.platform.render.xml import render_xml

NS = "http://www.ofdspec.org/2016"


def _ofd_xml(doc):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">
  <ofd:DocBody>
    <ofd:DocInfo>
      <ofd:DocID>{escape(doc.number)}</ofd:DocID>
      <ofd:Title>{escape(doc.title)}</ofd:Title>
      <ofd:Author>{escape(doc.seller_name)}</ofd:Author>
      <ofd:CreationDate>{doc.issued_at.date().isoformat()}</ofd:CreationDate>
    </ofd:DocInfo>
    <ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>
  </ofd:DocBody>
</ofd:OFD>
"""


def _document_xml():
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Document xmlns:ofd="{NS}">
  <ofd:CommonData>
    <ofd:MaxUnitID>1000</ofd:MaxUnitID>
    <ofd:PageArea><ofd:PhysicalBox>0 0 241 140</ofd:PhysicalBox></ofd:PageArea>
    <ofd:PublicRes>PublicRes.xml</ofd:PublicRes>
  </ofd:CommonData>
  <ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>
  <ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>
</ofd:Document>
"""


def _public_res():
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">
  <ofd:Fonts><ofd:Font ID="2" FontName="WenQuanYi Zen Hei" FamilyName="WenQuanYi Zen Hei"/></ofd:Fonts>
</ofd:Res>
"""


def _page(doc):
    texts = [(80, 12, doc.title), (170, 10, f"发票号码：{doc.number}"), (170, 16, f"开票日期：{doc.issued_date}"),
             (12, 28, f"购买方 名称：{doc.buyer_name}"), (12, 34, f"统一社会信用代码/纳税人识别号：{doc.buyer_tax_id}"),
             (122, 28, f"销售方 名称：{doc.seller_name}"), (122, 34, f"统一社会信用代码/纳税人识别号：{doc.seller_tax_id}")]
    y = 50
    for line in doc.lines:
        texts.append((12, y, f"{line.name} {yuan(line.amount)} {yuan(line.tax_amount)}"))
        y += 5
    texts += [(12, 104, f"合计 ¥{yuan(doc.amount)} ¥{yuan(doc.tax_amount)}"),
              (12, 112, f"价税合计（大写）{doc.total_in_capitals} （小写）¥{yuan(doc.total)}")]
    texts += [(12, 120 + 5 * i, f"备注：{r}") for i, r in enumerate(doc.remark_lines[:2])]
    texts.append((12, 136, f"开票人：{doc.drawer}"))
    objects = "\n".join(
        f'      <ofd:TextObject ID="{i}" Boundary="{x} {y - 4} 200 5" Font="2" Size="3.2">'
        f'<ofd:TextCode X="0" Y="4">{escape(text)}</ofd:TextCode></ofd:TextObject>'
        for i, (x, y, text) in enumerate(texts, start=10)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page xmlns:ofd="{NS}">
  <ofd:Content><ofd:Layer ID="3">
{objects}
  </ofd:Layer></ofd:Content>
</ofd:Page>
"""


def _attachments(name):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Attachments xmlns:ofd="{NS}">
  <ofd:Attachment ID="900" Name={quoteattr(name)} Format="xml"><ofd:FileLoc>{escape(name)}</ofd:FileLoc></ofd:Attachment>
</ofd:Attachments>
"""


def render_ofd(doc) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", _ofd_xml(doc))
        archive.writestr("Doc_0/Document.xml", _document_xml())
        archive.writestr("Doc_0/PublicRes.xml", _public_res())
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", _page(doc))
        archive.writestr("Doc_0/Attachs/Attachments.xml", _attachments("original_invoice.xml"))
        archive.writestr("Doc_0/Attachs/original_invoice.xml", render_xml(doc))
    return buffer.getvalue()
