#!/usr/bin/python3
# Writes the extract module's test documents (see SOURCES), with Debian 12's
# python3 and python3-cairo: PDFs and the PNG through cairo, the office
# documents as real zip containers (zipfile) of minimal XML parts.
# Run from this directory: /usr/bin/python3 make-corpus.py
import zipfile

import cairo

FIXED = (2024, 1, 1, 0, 0, 0)  # fixed member times: the files are reproducible


def pdf(path, pages):
    s = cairo.PDFSurface(path, 595, 842)
    s.set_metadata(cairo.PDFMetadata.CREATE_DATE, "2024-01-01T00:00:00")
    c = cairo.Context(s)
    c.select_font_face("DejaVu Sans")
    c.set_font_size(14)
    for lines in pages:
        y = 80
        for line in lines:
            c.move_to(60, y)
            c.show_text(line)
            y += 24
        c.show_page()
    s.finish()


def zipdoc(path, members, first=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if first:  # ODF: "mimetype" first and stored
            z.writestr(zipfile.ZipInfo(first[0], FIXED), first[1], zipfile.ZIP_STORED)
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, FIXED), data, zipfile.ZIP_DEFLATED)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CT = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>%s</Types>'

pdf("report.pdf", [["Quarterly report", "contract number 71450"],
                   ["Second page mentions Zürich", "and the budget"]])
pdf("hostile.pdf", [["before \x1b[31mred\x1b[0m after", "left \u202eevil\u202c right"]])

zipdoc("letter.docx", [
    ("[Content_Types].xml", CT % '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'),
    ("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
     '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Dear board,</w:t></w:r></w:p>'
     '<w:p><w:r><w:t xml:space="preserve">the invoice </w:t></w:r><w:r><w:t>INV-2291</w:t></w:r><w:r><w:tab/><w:t>is overdue.</w:t></w:r></w:p>'
     '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Item</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Amount</w:t></w:r></w:p></w:tc></w:tr>'
     '<w:tr><w:tc><w:p><w:r><w:t>Consulting</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12 500 €</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
     '</w:body></w:document>'),
])

zipdoc("budget.xlsx", [
    ("[Content_Types].xml", CT % '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'),
    ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {R}><sheets>'
     '<sheet name="Budget" sheetId="1" r:id="rId1"/><sheet name="Staff" sheetId="2" r:id="rId2"/></sheets></workbook>'),
    ("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
     '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
     '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    ("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">'
     '<si><t>Line</t></si><si><t>Cost</t></si><si><r><t>Offshore </t></r><r><t>transfer</t></r></si><si><t>Alice Martin</t></si></sst>'),
    ("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
     '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
     '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>981000</v></c></row>'
     '<row r="3"><c r="A3" t="inlineStr"><is><t>Cayman fee</t></is></c><c r="B3" t="b"><v>1</v></c></row></sheetData></worksheet>'),
    ("xl/worksheets/sheet2.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
     '<row r="1"><c r="A1" t="s"><v>3</v></c></row></sheetData></worksheet>'),
])

A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
slide = lambda t: f'<?xml version="1.0" encoding="UTF-8"?><p:sld {A}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{t}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>'
zipdoc("deck.pptx", [
    ("[Content_Types].xml", CT % ''),
    ("ppt/presentation.xml", f'<?xml version="1.0" encoding="UTF-8"?><p:presentation {A}/>'),
    ("ppt/slides/slide10.xml", slide("Tenth slide: next steps")),
    ("ppt/slides/slide2.xml", slide("Second slide: the merger")),
    ("ppt/slides/slide1.xml", slide("Project Nightingale")),
])

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"')
def odf(path, kind, body):
    zipdoc(path, [("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}><office:body>{body}</office:body></office:document-content>'),
                  ("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')],
           first=("mimetype", "application/vnd.oasis.opendocument." + kind))

odf("minutes.odt", "text", '<office:text><text:h>Minutes</text:h><text:p>Present:<text:s text:c="2"/>the auditor<text:tab/>and <text:span>counsel</text:span>.</text:p>'
    '<text:p>Decision<text:line-break/>approved</text:p></office:text>')
odf("ledger.ods", "spreadsheet", '<office:spreadsheet><table:table table:name="Ledger"><table:table-row><table:table-cell><text:p>Payee</text:p></table:table-cell>'
    '<table:table-cell><text:p>Northwind</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>')
odf("pitch.odp", "presentation", '<office:presentation><draw:page draw:name="p1"><draw:frame><draw:text-box><text:p>Opening remarks</text:p></draw:text-box></draw:frame></draw:page>'
    '<draw:page draw:name="p2"><draw:frame><draw:text-box><text:p>Closing figures</text:p></draw:text-box></draw:frame></draw:page></office:presentation>')

img = cairo.ImageSurface(cairo.FORMAT_RGB24, 64, 48)
cairo.Context(img).paint()
img.write_to_png("pixel.png")

with zipfile.ZipFile("bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo("notes.txt", FIXED), "plain notes about the shipment\n")
    z.writestr(zipfile.ZipInfo("inner/letter.docx", FIXED), open("letter.docx", "rb").read())

with open("latin1.txt", "wb") as f:
    f.write("Caf\u00e9 cr\u00e8me, na\u00efve r\u00e9sum\u00e9\n".encode("iso-8859-1"))
