"""Reading and writing: inputs to :class:`~dedup.document.Document` objects, records back out, atomic writes.

``read.py`` turns command-line inputs (files, folders, JSONL, WARC, stdin) into documents; ``records.py`` is the
one mapping between JSON records and documents; ``warc.py`` reads web archives; ``write.py`` writes outputs
atomically.
"""

from dedup.errors import InputError, InputProblem, ProblemHandler
from dedup.io.read import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES, Reader
from dedup.io.records import (
    MAX_DOCUMENT_BYTES,
    FieldNames,
    RecordError,
    cleaned_record,
    document_from_record,
    record_of,
    source_of,
)
from dedup.io.warc import WARC_SUFFIXES
from dedup.io.write import atomic_writer

__all__ = [
    "HTML_SUFFIXES",
    "JSONL_SUFFIXES",
    "MAX_DOCUMENT_BYTES",
    "TEXT_SUFFIXES",
    "WARC_SUFFIXES",
    "FieldNames",
    "InputError",
    "InputProblem",
    "ProblemHandler",
    "Reader",
    "RecordError",
    "atomic_writer",
    "cleaned_record",
    "document_from_record",
    "record_of",
    "source_of",
]
