"""Generated documents: the embedded Chinese fonts and Chinese line breaking (``fonts``), PDF page
set-up and tables (``pdf``), DOCX runs with East Asian fonts (``word``), document numbers on
``core.counters`` (``numbering``) and the official-document (公文) layout of GB/T 9704-2012
(``official``). Receipts (intake), legal documents (workflow), bulletins, score cards and exports
all draw through here (docs/documents.md)."""
