"""Documents of accountability: the 约谈 record (signed on paper by both sides) and the referral
letter to 纪检监察, in the 公文 layout of ``shoulian.documents.official``; the referral's evidence
bundle (findings, rectification history, journal proofs) as a ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.utils import timezone

from shoulian.assessment.models import Interview, Referral
from shoulian.audit.models import AuditCheckpoint
from shoulian.audit.proofs import ProofError, object_proof
from shoulian.deadlines.versions import legal_date
from shoulian.documents.official import (
    OfficialDocument,
    Section,
    TableBlock,
    render_docx,
    render_pdf,
)
from shoulian.supervision.models import Finding


def _when(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def _finding_rows(findings: list[Finding]) -> TableBlock:
    rows = [["编号", "问题", "责任单位", "状态", "升级"]]
    for f in findings:
        rows.append([str(f.pk), f.summary, f.unit.name, f.get_status_display(), str(f.escalation)])
    return TableBlock(rows=rows, widths=[1, 5, 2.5, 1.5, 1])


def interview_document(interview: Interview) -> OfficialDocument:
    findings = list(interview.findings.select_related("unit").order_by("pk"))
    body: list[Any] = [
        Section(
            "约谈基本情况",
            [
                f"约谈时间：{_when(interview.held_at)}；地点：{interview.place}。",
                f"约谈人：{interview.interviewer.full_name}；被约谈人：{interview.interviewee.full_name}"
                f"（{interview.unit.name}）。",
            ],
        ),
        Section("约谈事由", [interview.reason]),
    ]
    if findings:
        body.append(Section("涉及的巡查发现", [_finding_rows(findings)]))
    body += [
        Section("约谈情况及整改要求", [interview.outcome]),
        "约谈人（签名）：                被约谈人（签名）：",
    ]
    return OfficialDocument(
        issuer=interview.bureau.name,
        title="执法质量约谈记录",
        date=legal_date(interview.held_at),
        number=interview.number,
        body=body,
    )


def referral_document(referral: Referral) -> OfficialDocument:
    findings = list(referral.findings.select_related("unit").order_by("pk"))
    who = referral.unit.name + (f"民警{referral.officer.full_name}" if referral.officer else "")
    return OfficialDocument(
        issuer=referral.bureau.name,
        title=f"关于移送{who}执法问题线索的函",
        date=legal_date(referral.referred_at),
        number=referral.number,
        recipients=["纪检监察室"],
        body=[
            f"经巡查监督，{who}存在下列问题，经督促未落实整改。根据本局执法质量考评办法和责任追究规定，"
            "现将问题线索移送你室，请依规依纪处理，并将处理结果反馈我局法制大队。",
            Section("移送理由", [referral.reason]),
            Section("问题清单", [_finding_rows(findings)]),
            Section("附件", ["巡查发现、整改及审核记录与审计日志证明（电子证据包）。"]),
        ],
    )


def render(doc: OfficialDocument, fmt: str) -> bytes:
    return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def _history(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "rule": finding.rule_code,
        "rule_version": finding.rule.version,
        "summary": finding.summary,
        "unit": finding.unit.name,
        "officer": finding.officer.full_name if finding.officer else None,
        "level": finding.level,
        "escalation": finding.escalation,
        "status": finding.status,
        "opened_at": finding.opened_at.isoformat(),
        "due_at": finding.due_at.isoformat() if finding.due_at else None,
        "closed_at": finding.closed_at.isoformat() if finding.closed_at else None,
        "alert": finding.alert.number if finding.alert else None,
        "evidence": finding.evidence,
        "rectifications": [
            {
                "round": r.round,
                "text": r.text,
                "submitted_by": r.submitted_by.full_name,
                "submitted_at": r.submitted_at.isoformat(),
                "outcome": r.outcome,
                "steps": [
                    {
                        "position": s.position,
                        "role": s.role,
                        "unit": s.unit.name,
                        "status": s.status,
                        "decided_by": s.decided_by.full_name if s.decided_by else None,
                        "decided_at": s.decided_at.isoformat() if s.decided_at else None,
                        "comment": s.comment,
                    }
                    for s in r.steps.all()
                ],
            }
            for r in finding.rectifications.all()
        ],
    }


def evidence_bundle(referral: Referral) -> bytes:
    """The referral letter (PDF), every finding with its rectification rounds and review steps
    (findings.json), and for each finding its journal events with inclusion proofs against the
    latest signed checkpoint (proofs/finding-N.json; verify with
    tools/audit_verify_standalone.py)."""
    findings = list(
        referral.findings.select_related("rule", "unit", "officer", "alert")
        .prefetch_related("rectifications__steps__unit", "rectifications__steps__decided_by",
                          "rectifications__submitted_by")
        .order_by("pk")
    )  # fmt: skip
    checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("referral.pdf", render_pdf(referral_document(referral)))
        bundle.writestr(
            "findings.json",
            json.dumps([_history(f) for f in findings], ensure_ascii=False, indent=2),
        )
        notes = []
        for f in findings:
            if checkpoint is None:
                notes.append(f"finding:{f.pk} 尚无签名检查点，暂无审计证明")
                continue
            try:
                proof = object_proof("finding", str(f.pk), checkpoint)
            except ProofError as exc:
                notes.append(f"finding:{f.pk} {exc}")
                continue
            bundle.writestr(f"proofs/finding-{f.pk}.json", json.dumps(proof, ensure_ascii=False))
        bundle.writestr(
            "README.txt",
            f"{referral.number} 证据包\n"
            "referral.pdf 移送函；findings.json 巡查发现、整改及逐级审核记录；"
            "proofs/ 审计日志包含证明（用 tools/audit_verify_standalone.py 与公钥核验）。\n"
            + "\n".join(notes),
        )
    return out.getvalue()
