"""Command-line options shared by every `dedup` command (typer ``Annotated`` aliases), defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Inputs = Annotated[list[str], typer.Argument(help="Files, directories (recursed), .jsonl/.jsonl.gz, .warc/.warc.gz, or - for JSONL on stdin.",
                                             show_default=False)]
Threshold = Annotated[float | None, typer.Option("--threshold", "-t", min=0.01, max=1.0,
                                                 help="Jaccard similarity of word shingles that makes a duplicate. [default: 0.5]")]
Containment = Annotated[float | None, typer.Option(min=0.01, max=1.0,
                                                   help="Share of the shorter text found in the longer one that also makes a duplicate (trimmed copies). [default: 0.55]")]
Ngram = Annotated[int | None, typer.Option(min=1, max=8, help="Words per shingle. [default: 3]")]
NumPerm = Annotated[int | None, typer.Option("--num-perm", min=16, max=1024, help="MinHash permutations. [default: 128]")]
Strict = Annotated[bool, typer.Option(help="Stop at the first bad input instead of skipping it.")]
Rules = Annotated[Path | None, typer.Option(help="A TOML file of extra line rules (extends/overrides the built-in ones).")]
SiteBp = Annotated[bool | None, typer.Option("--site-boilerplate/--no-site-boilerplate",
                                             help="Learn and strip lines each site repeats across its pages. [default: on]")]
SiteMin = Annotated[int | None, typer.Option(min=2, help="Pages of one site a line must appear on to be its boilerplate. [default: 3]")]
Templates = Annotated[bool | None, typer.Option("--templates/--no-templates",
                                                help="Tell template siblings (same formula, different facts) from copies and never merge them. [default: on]")]
IdField = Annotated[str | None, typer.Option(help="JSONL field holding the document id. [default: id]")]
TextField = Annotated[str | None, typer.Option(help="JSONL field holding the text. [default: text]")]
HtmlField = Annotated[str | None, typer.Option(help="JSONL field holding raw HTML. [default: html]")]
TitleField = Annotated[str | None, typer.Option(help="JSONL field holding the title. [default: title]")]
UrlField = Annotated[str | None, typer.Option(help="JSONL field holding the URL. [default: url]")]
DateField = Annotated[str | None, typer.Option(help="JSONL field holding the date. [default: date]")]
SourceField = Annotated[str | None, typer.Option(help="JSONL field holding the source site. [default: source]")]
