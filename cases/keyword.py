"""The ledger's 关键词 (q): the title, the number or a proposer's name contains it.

At a million cases a LIKE over every title is a full read (150 ms when nothing matches,
700 ms for a word of two characters). On PostgreSQL the titles and numbers have trigram
indexes (cases/migrations/0010), which find a word of three characters or more at once;
a word of one or two characters (托育, 医保) has no trigram, and is looked up in an index
of every character and pair of characters of each title and number instead
(huiyin_short_grams). A common word is found sooner by reading the newest cases; the
planner chooses. On SQLite the cases are read.
"""

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

from cases.models import CaseProposer, Category, Proposer

# A keyword of this many characters or more is looked up in the trigram indexes of the
# titles and numbers on PostgreSQL (cases/migrations/0010); a shorter one in the indexes
# of their characters and pairs of characters.
TRIGRAM = 3
# The function those indexes are made of (cases/migrations/0010: SHORT_GRAMS).
SHORT_GRAMS = "huiyin_short_grams"


class HasGram(Func):
    """`huiyin_short_grams(column) @> ARRAY[q]`: the column contains q, a string of one
    or two characters, as its index of short grams answers it."""

    output_field = BooleanField()

    def as_sql(  # type: ignore[override]  # one fixed shape: no function or template to pass
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        column, gram = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        gram_sql, gram_params = compiler.compile(gram)
        sql = f"{SHORT_GRAMS}({column_sql}) @> ARRAY[{gram_sql}]::text[]"
        return sql, [*column_params, *gram_params]


class InArray(Func):
    """`id = ANY(ARRAY(subquery))`: unlike `id IN (subquery)`, one arm of an OR that
    PostgreSQL can combine with the other arms' indexes (a BitmapOr)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = BooleanField()


def _uncased(text: str) -> bool:
    return text.lower() == text.upper()


def keyword_q(q: str) -> Q:
    """The cases whose title, number or a proposer's name contains `q` (any case)."""
    named = Proposer.objects.filter(name__icontains=q).values("pk")
    by_proposer = CaseProposer.objects.filter(proposer_id__in=named).order_by().values("case_id")
    # A public opinion has no proposer and a title cut from its text: its text is searched
    # (on PostgreSQL through a trigram index of the opinions' texts, opinions/migrations/0002).
    if not _uncased(q):  # Latin letters: compared without case, by reading the cases
        return (
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(pk__in=by_proposer)
            | Q(category=Category.PUBLIC_OPINION, content__icontains=q)
        )
    # Chinese text and digits have no case: a plain LIKE, which the trigram indexes serve.
    if connection.vendor != "postgresql":
        return (
            Q(title__contains=q)
            | Q(number__contains=q)
            | Q(pk__in=by_proposer)
            | Q(category=Category.PUBLIC_OPINION, content__contains=q)
        )
    if len(q) >= TRIGRAM:
        return (
            Q(title__contains=q)
            | Q(number__contains=q)
            | Q(InArray(F("pk"), by_proposer))
            | Q(category=Category.PUBLIC_OPINION, content__contains=q)
        )
    # Too short for a trigram: the characters and pairs of characters (the trigram
    # indexes would be read whole).
    return (
        Q(HasGram(F("title"), Value(q)))
        | Q(HasGram(F("number"), Value(q)))
        | Q(InArray(F("pk"), by_proposer))
    )
