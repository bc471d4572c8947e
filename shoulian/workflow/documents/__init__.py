"""Numbered legal documents of the decisions: 受案登记表, 立案决定书, 不予立案通知书, 移送案件通知书,
不予调查处理告知书. ``numbering`` allocates the 文号, ``content`` fixes what a document says at
issue, ``render_pdf`` and ``render_docx`` draw it."""
