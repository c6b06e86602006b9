"""The researcher's loop: a person reviews the machine's codes in a QDA tool (or a table), the corrections
come back beside the machine codes, and agreement between person and machine is measured per code.

* :func:`import_qdpx` / :func:`import_table`: read corrections into ``<batch>/corrections/codes.jsonl``;
* :func:`agreement` / :func:`write_report`: κ and α per code over passages, with the disagreements.
"""

from nlp_iom.corrections.agreement import AgreementReport, agreement, write_report
from nlp_iom.corrections.importer import ImportReport, import_qdpx, import_table
from nlp_iom.corrections.store import HumanCode, load_codes

__all__ = ["AgreementReport", "HumanCode", "ImportReport", "agreement", "import_qdpx", "import_table", "load_codes",
           "write_report"]
