"""A report as headings, paragraphs, lists and tables, written as Markdown, self-contained HTML and PDF.

    document = Document("trace", "Trace Matrix", run_details)
    document.heading("Requirements")
    document.table(["id", "result"], [["SRS-001", "PASS"]], widths=[1, 1])
    document.write(out_dir)          # out_dir/trace.md, trace.html, trace.pdf

The PDF (reportlab) has the report's name and the run id at the top of every page, page numbers at the
bottom, and tables that break across pages with their header row repeated.
"""

import html
import re

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, LongTable, PageTemplate, Paragraph, Spacer, TableStyle

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RESULT_CLASS = {"PASS": "pass", "FAIL": "fail", "NOT TESTED": "untested", "UNVERIFIED": "fail"}


def _printable(text):
    """Text with control characters shown as \\xNN: none of the formats can carry them."""
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


class Document:
    """One report: a name (the file stem), a title, the run details at the top, then its blocks."""

    def __init__(self, name, title, details):
        self.name = name
        self.title = title
        self.details = details  # [(label, value)]
        self.run_id = dict(details).get("Run id", "")
        self.blocks = []

    def heading(self, text, level=2):
        self.blocks.append(("heading", level, text))

    def paragraph(self, text):
        self.blocks.append(("paragraph", text))

    def items(self, texts):
        self.blocks.append(("items", list(texts)))

    def table(self, header, rows, widths=None):
        """`widths`: relative column widths for the PDF (default: equal)."""
        self.blocks.append(("table", list(header), [list(row) for row in rows], widths or [1] * len(header)))

    def write(self, directory):
        """Writes NAME.md, NAME.html and NAME.pdf into `directory`; returns their paths."""
        paths = [directory / f"{self.name}.{suffix}" for suffix in ("md", "html", "pdf")]
        paths[0].write_text(markdown(self))
        paths[1].write_text(html_page(self))
        pdf(self, paths[2])
        return paths


def _md_cell(text):
    return _printable(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _md_table(header, rows):
    lines = ["| " + " | ".join(_md_cell(cell) for cell in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def markdown(document):
    lines = [f"# {document.title}", ""] + _md_table(["Run detail", "Value"], document.details) + [""]
    for block in document.blocks:
        if block[0] == "heading":
            lines += ["#" * (block[1] + 1) + " " + _md_cell(block[2]), ""]
        elif block[0] == "paragraph":
            lines += [_printable(block[1]), ""]
        elif block[0] == "items":
            lines += [f"- {_md_cell(item)}" for item in block[1]] + [""]
        else:
            lines += _md_table(block[1], block[2]) + [""]
    return "\n".join(lines)


_STYLE = """
body { font-family: sans-serif; font-size: 13px; margin: 2em; color: #111; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #e4e4e4; }
td { font-family: monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
td.pass { background: #d8f0d8; } td.fail { background: #f6d0d0; } td.untested { background: #f4ecc8; }
"""


def _html_text(text):
    return html.escape(_printable(text))


def _html_table(header, rows):
    parts = ["<table><thead><tr>" + "".join(f"<th>{_html_text(cell)}</th>" for cell in header)
             + "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for cell in row:
            css = _RESULT_CLASS.get(str(cell).upper())
            cells.append(f'<td class="{css}">' if css else "<td>")
            cells[-1] += _html_text(cell) + "</td>"
        parts.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(parts + ["</tbody></table>"])


def html_page(document):
    """A page with no external scripts, styles or fonts."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_html_text(document.title)} — {_html_text(document.run_id)}</title>",
             f"<style>{_STYLE}</style></head><body>", f"<h1>{_html_text(document.title)}</h1>",
             _html_table(["Run detail", "Value"], document.details)]
    for block in document.blocks:
        if block[0] == "heading":
            level = min(block[1] + 1, 6)
            parts.append(f"<h{level}>{_html_text(block[2])}</h{level}>")
        elif block[0] == "paragraph":
            parts.append(f"<p>{_html_text(block[1])}</p>")
        elif block[0] == "items":
            parts.append("<ul>" + "".join(f"<li>{_html_text(item)}</li>" for item in block[1]) + "</ul>")
        else:
            parts.append(_html_table(block[1], block[2]))
    return "\n".join(parts + ["</body></html>", ""])


_STYLES = getSampleStyleSheet()
_CELL = ParagraphStyle("cell", parent=_STYLES["BodyText"], fontName="Helvetica", fontSize=7, leading=8.5,
                       alignment=TA_LEFT, splitLongWords=1)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")
_HEADINGS = {1: _STYLES["Heading1"], 2: _STYLES["Heading2"], 3: _STYLES["Heading3"]}
_RESULT_COLOUR = {"pass": colors.HexColor("#d8f0d8"), "fail": colors.HexColor("#f6d0d0"),
                  "untested": colors.HexColor("#f4ecc8")}


def _pdf_text(text):
    # The standard PDF fonts cover Latin-1 (and a few more): other characters are shown escaped.
    text = _printable(text)
    text = "".join(char if ord(char) < 256 or char in "—–’“”•" else f"\\u{ord(char):04x}" for char in text)
    return html.escape(text).replace("\n", "<br/>")


_PDF_CELL_LIMIT = 2000  # characters: a table row cannot break across pages, so none may outgrow one


def _pdf_cell(text):
    if len(text) <= _PDF_CELL_LIMIT:
        return text
    return text[:_PDF_CELL_LIMIT] + f" ... ({len(text) - _PDF_CELL_LIMIT} more characters in the .md and .html)"


def _pdf_table(header, rows, widths, width):
    total = float(sum(widths))
    data = [[Paragraph(_pdf_text(cell), _HEAD) for cell in header]]
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e4e4")),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
             ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("FONT", (0, 1), (-1, -1), "Helvetica", 7, 8.5)]
    for number, row in enumerate(rows, 1):
        # A short cell needs no wrapping, and a plain string is much quicker to lay out than a Paragraph.
        data.append([cell if len(cell) <= 12 and _pdf_text(cell) == cell
                     else Paragraph(_pdf_text(_pdf_cell(cell)), _CELL) for cell in map(str, row)])
        for column, cell in enumerate(row):
            css = _RESULT_CLASS.get(str(cell).upper())
            if css:
                style.append(("BACKGROUND", (column, number), (column, number), _RESULT_COLOUR[css]))
    table = LongTable(data, colWidths=[width * part / total for part in widths], repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def pdf(document, path):
    page = landscape(A4)
    margin = 12 * mm
    frame = Frame(margin, margin, page[0] - 2 * margin, page[1] - 2 * margin - 6 * mm, id="body")

    def decorate(canvas, template):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(margin, page[1] - margin, f"oneline — {document.title}")
        canvas.drawRightString(page[0] - margin, page[1] - margin, f"Run {document.run_id}")
        canvas.drawCentredString(page[0] / 2, margin / 2, f"Page {template.page}")
        canvas.restoreState()

    template = BaseDocTemplate(str(path), pagesize=page, title=f"{document.title} {document.run_id}",
                               author="oneline verification", leftMargin=margin, rightMargin=margin,
                               topMargin=margin, bottomMargin=margin)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    width = frame._width - 12
    story = [Paragraph(_pdf_text(document.title), _STYLES["Title"]),
             _pdf_table(["Run detail", "Value"], document.details, [1, 4], width), Spacer(1, 4 * mm)]
    for block in document.blocks:
        if block[0] == "heading":
            story.append(Paragraph(_pdf_text(block[2]), _HEADINGS.get(block[1], _STYLES["Heading4"])))
        elif block[0] == "paragraph":
            story.append(Paragraph(_pdf_text(block[1]), _STYLES["BodyText"]))
        elif block[0] == "items":
            story += [Paragraph("• " + _pdf_text(item), _STYLES["BodyText"]) for item in block[1]]
        else:
            story += [_pdf_table(block[1], block[2], block[3], width), Spacer(1, 3 * mm)]
    template.build(story)
