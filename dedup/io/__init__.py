"""Reading and writing: inputs to :class:`~dedup.document.Document` objects, records back out, atomic writes.

``read.py`` turns command-line inputs (files, folders, JSONL, WARC, stdin) into documents; ``files.py`` opens
only regular files, bounds reads and names files (ids); ``encoding.py`` decodes text that is not UTF-8;
``jsonl.py`` reads JSONL lines in bounded memory and writes lines back unchanged; ``records.py`` is the one
mapping between JSON records and documents; ``warc.py`` reads web archives; ``write.py`` writes outputs
atomically, honouring the umask, and refuses outputs that would touch an input.
"""

from dedup.errors import InputError, InputProblem, OutputError, ProblemHandler
from dedup.io.encoding import decode_text
from dedup.io.files import file_id
from dedup.io.jsonl import LineWriter, Passthrough, line_chunks, span_chunks
from dedup.io.read import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES, Reader
from dedup.io.records import (
    ENCODING_KEY,
    LINE_KEY,
    MAX_DOCUMENT_BYTES,
    FieldNames,
    RecordError,
    cleaned_record,
    document_from_record,
    record_of,
    source_of,
)
from dedup.io.warc import WARC_SUFFIXES
from dedup.io.write import atomic_writer, chmod_by_umask, refuse_input_overlap

__all__ = [
    "ENCODING_KEY",
    "HTML_SUFFIXES",
    "JSONL_SUFFIXES",
    "LINE_KEY",
    "MAX_DOCUMENT_BYTES",
    "TEXT_SUFFIXES",
    "WARC_SUFFIXES",
    "FieldNames",
    "InputError",
    "InputProblem",
    "LineWriter",
    "OutputError",
    "Passthrough",
    "ProblemHandler",
    "Reader",
    "RecordError",
    "atomic_writer",
    "chmod_by_umask",
    "cleaned_record",
    "decode_text",
    "document_from_record",
    "file_id",
    "line_chunks",
    "record_of",
    "refuse_input_overlap",
    "source_of",
    "span_chunks",
]
