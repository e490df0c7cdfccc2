"""The report as a PDF: the HTML report printed by WeasyPrint (A4, the plan's title and
network in the page header, page numbers in the footer: ``@page`` rules in report.css).

WeasyPrint needs Pango (libpango-1.0-0, libpangoft2-1.0-0) and fonts: installed by
``make system-deps`` and by the Dockerfile."""

from weasyprint import HTML


def render(html: str) -> bytes:
    """Print the HTML document to PDF (CPU-bound: call it from a worker thread)."""
    return bytes(HTML(string=html).write_pdf())
