"""Content in several languages, once for every domain (docs/languages.md).

A record's own columns hold its text in its network's default language; the other languages sit
beside them in the record's ``translations`` column (``{"fi": {"title": "…"}}``, NULL while
there are none), so a read needs no extra statement and a network with one language pays
nothing. ``translatable`` says which fields of which model are human text (the registry).

A read negotiates the language: ``?lang=`` if given (it must be one the network offers), else
the best ``Accept-Language`` range by q-value that the network offers (matched by language
distance: ``fi-FI`` is served ``fi``), else the network's default. ``Content-Language`` says
what was served, and also names the default when some text had no translation and fell back.
A write takes ``?lang=`` (default: the network's default) and changes only that language.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Protocol, TypeVar, overload

import langcodes
from fastapi import Depends, Header, Query, Response
from pydantic import AfterValidator, BaseModel, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.core.errors import Unprocessable

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

DEFAULT_LANGUAGE = "en"
MAX_LANGUAGES = 20


@lru_cache(maxsize=512)
def standard_tag(tag: str) -> str | None:
    """The tag in its standard form (``EN-gb`` → ``en-GB``), or None if it is not a valid
    BCP 47 tag (checked against the IANA registry)."""
    try:
        if not langcodes.tag_is_valid(tag):
            return None
        return str(langcodes.standardize_tag(tag))
    except (ValueError, LookupError):
        return None


def _check_tag(value: str) -> str:
    standard = standard_tag(value)
    if standard is None:
        raise ValueError(f"{value!r} is not a BCP 47 language tag (e.g. en, fi, es, eu, en-GB)")
    return standard


LanguageTag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=35),
    AfterValidator(_check_tag),
    PydanticField(description="A BCP 47 language tag.", examples=["fi"]),
]


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("each language once")
    return values


LanguageList = Annotated[
    list[LanguageTag],
    PydanticField(min_length=1, max_length=MAX_LANGUAGES),
    AfterValidator(_unique),
]


# --- the registry and the column ---------------------------------------------------------

REGISTRY: dict[str, tuple[str, ...]] = {}
"""Table name → the fields of that table's records that are human text."""

C = TypeVar("C", bound=type)


def translatable(*fields: str) -> Callable[[C], C]:
    """Class decorator: these fields of the model hold text a network may translate."""

    def register(cls: C) -> C:
        REGISTRY[cls.__tablename__] = fields  # type: ignore[attr-defined]
        return cls

    return register


def fields_of(obj: Any) -> tuple[str, ...]:
    return REGISTRY.get(obj.__tablename__, ())


class TranslationsMixin(SQLModel):
    """The column other languages live in (NULL while there are none)."""

    # SQL NULL, not JSON null, while there are none (none_as_null), as the migration left
    # existing rows: one "untranslated" on both databases.
    translations: dict[str, dict[str, str]] | None = Field(
        default=None, sa_type=JSON(none_as_null=True), nullable=True
    )


class Offers(Protocol):
    """What a network says about its languages."""

    languages: list[str]
    default_language: str


# --- negotiation --------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def parse_accept_language(header: str) -> tuple[str, ...]:
    """The language ranges of an ``Accept-Language`` header, best first (RFC 9110 §12.5.4:
    q-values from 0 to 1, default 1, ties keep their order; q=0 means "not this"; malformed
    entries are skipped, as the RFC lets a server ignore the header)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:50]):
        pieces = [p.strip() for p in part.split(";")]
        name, q = pieces[0], 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = -1.0
        if not name or not 0 < q <= 1:
            continue
        ranked.append((-q, index, name))
    return tuple(name for _, _, name in sorted(ranked))


@lru_cache(maxsize=1024)
def _match(wanted: str, offered: tuple[str, ...]) -> str | None:
    if wanted == "*":
        return None
    standard = standard_tag(wanted)
    if standard is None:
        return None
    if standard in offered:
        return standard
    match = langcodes.closest_supported_match(standard, list(offered), max_distance=10)
    return str(match) if match else None


def _offered(offers: Offers) -> tuple[str, ...]:
    return tuple(offers.languages or (offers.default_language,))


def check_offered(offers: Offers, lang: str) -> str:
    """``lang`` in its standard form, or a 422 when the network does not offer it."""
    standard = standard_tag(lang)
    offered = _offered(offers)
    if standard is None or standard not in offered:
        raise Unprocessable(
            f"this network's content is in {', '.join(offered)}, not {lang!r}",
            errors=[{"loc": ["query", "lang"], "msg": "language not offered", "type": "lang"}],
        )
    return standard


def negotiate(offers: Offers, *, lang: str | None, accept: str | None) -> str:
    """The language to serve (see the module's docstring)."""
    if lang is not None:
        return check_offered(offers, lang)
    offered = _offered(offers)
    if accept and len(offered) > 1:
        for wanted in parse_accept_language(accept):
            if wanted == "*":
                break
            match = _match(wanted, offered)
            if match is not None:
                return match
    return offers.default_language


# --- reading and writing text -------------------------------------------------------------


@dataclass
class Served:
    """The language a read is served in, and whether some text fell back to the default."""

    language: str
    default: str
    fell_back: bool = False

    @property
    def is_default(self) -> bool:
        return self.language == self.default

    def texts(self, obj: Any) -> dict[str, Any]:
        """The translated values of ``obj``'s translatable fields (empty in the default
        language); notes a fallback when a field with text has none."""
        if self.is_default:
            return {}
        return self._pick(fields_of(obj), obj.translations, lambda name: getattr(obj, name, None))

    def in_network(self, offers: Offers, obj: Any, name: str) -> Any:
        """``text`` of a record of another network (a roll-up over several): in the served
        language where that network offers it, else in that network's default, noted as a
        fallback."""
        own = getattr(obj, name, None)
        if self.language not in _offered(offers):
            self.fell_back = self.fell_back or own is not None
            return own
        there = Served(self.language, offers.default_language)
        value = there.text(obj, name)
        self.fell_back = self.fell_back or there.fell_back
        return value

    def text(self, obj: Any, name: str) -> Any:
        """One translatable field of ``obj`` in the served language (the default's text when
        it has no translation)."""
        return self.texts(obj).get(name, getattr(obj, name, None))

    def row_texts(self, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """``texts`` of a row read without the ORM (its columns by name)."""
        if self.is_default:
            return {}
        return self._pick(REGISTRY.get(table, ()), row.get("translations"), row.get)

    def _pick(
        self,
        names: Iterable[str],
        translations: dict[str, dict[str, str]] | None,
        own_value: Callable[[str], Any],
    ) -> dict[str, Any]:
        own = (translations or {}).get(self.language, {})
        out: dict[str, Any] = {}
        for name in names:
            if name in own:
                out[name] = own[name]
            elif own_value(name) is not None:
                self.fell_back = True
        return out

    @overload
    def read(self, model: type[M], obj: Any) -> M | Any: ...

    @overload
    def read(self, model: type[M], obj: Any, made: M) -> M: ...

    def read(self, model: type[M], obj: Any, made: M | None = None) -> M | Any:
        """``obj`` (or ``made``, its read model) as ``model`` in the served language: ``obj``
        or ``made`` itself in the default, so nothing is copied, and the row is never changed
        (a read's session flushes nothing)."""
        texts = self.texts(obj)
        if not texts:
            return obj if made is None else made
        base = made if made is not None else model.model_validate(obj, from_attributes=True)
        return base.model_copy(update=texts)

    def reader(self, model: type[M]) -> Callable[[Any], M]:
        """``read`` for each row of a page (always a ``model``)."""

        def read(obj: Any) -> M:
            item = model.model_validate(obj, from_attributes=True)
            texts = self.texts(obj)
            return item.model_copy(update=texts) if texts else item

        return read

    def content_language(self) -> str:
        if self.fell_back and not self.is_default:
            return f"{self.language}, {self.default}"
        return self.language

    def content_headers(self) -> dict[str, str]:
        """``Content-Language`` (what was served) and ``Vary`` (it depends on the request)."""
        return {"Content-Language": self.content_language(), "Vary": "Accept-Language"}


def served_to(offers: Offers, preferred: str | None) -> Served:
    """What a person who reads ``preferred`` (their content language, a BCP 47 tag; None:
    no preference) is served of a network's content outside a request (e-mails, reminders):
    that language where the network offers it (``fi-FI`` is served ``fi``), else the
    network's default."""
    language = negotiate(offers, lang=None, accept=preferred)
    return Served(language, offers.default_language)


def localised_changes(
    obj: Any, changes: Mapping[str, Any], *, language: str, default: str
) -> dict[str, Any]:
    """``changes`` to apply to ``obj`` for a write in ``language``: in the default language
    as they are; in another, the translatable fields move into ``translations[language]``
    (``None`` removes that translation) and the other fields apply as they are."""
    out = dict(changes)
    if language == default:
        return out
    translated = {name: out.pop(name) for name in fields_of(obj) if name in out}
    if not translated:
        return out
    everything = {lang: dict(texts) for lang, texts in (obj.translations or {}).items()}
    own = everything.setdefault(language, {})
    for name, value in translated.items():
        if value is None:
            own.pop(name, None)
        else:
            own[name] = value
    if not own:
        everything.pop(language)
    out["translations"] = everything or None
    return out


def localised(
    offers: Offers, obj: Any, changes: Mapping[str, Any], language: str | None
) -> dict[str, Any]:
    """``localised_changes`` for a write in ``language`` (None: the network's default)."""
    default = offers.default_language
    chosen = default if language is None else check_offered(offers, language)
    return localised_changes(obj, changes, language=chosen, default=default)


def all_texts(obj: Any, default: str) -> dict[str, dict[str, str]]:
    """Every language's text of each translatable field of ``obj`` (field → language →
    text), the default's from the columns."""
    out: dict[str, dict[str, str]] = {}
    for name in fields_of(obj):
        value = getattr(obj, name, None)
        out[name] = {default: value} if value is not None else {}
    for lang, texts in (obj.translations or {}).items():
        for name, value in texts.items():
            if name in out:
                out[name][lang] = value
    return out


def missing(obj: Any, languages: Iterable[str], default: str) -> list[tuple[str, str]]:
    """(field, language) pairs of ``obj`` with text in the default language and none in
    another offered language."""
    have = obj.translations or {}
    return [
        (name, lang)
        for name in fields_of(obj)
        if getattr(obj, name, None) is not None
        for lang in languages
        if lang != default and name not in have.get(lang, {})
    ]


# --- the web side -------------------------------------------------------------------------

LANG_DESCRIPTION = (
    "The language of the content (a BCP 47 tag the network offers). Reads: overrides "
    "`Accept-Language`. Writes: the language the text is in (default: the network's default); "
    "other languages are left alone."
)


class LanguageChoice:
    """A request's ``?lang=`` and ``Accept-Language``, answered with ``Content-Language``."""

    def __init__(self, response: Response, lang: str | None, accept: str | None) -> None:
        self.response = response
        self.lang = lang
        self.accept = accept
        self.served: Served | None = None

    def read(self, offers: Offers) -> Served:
        """Negotiate the read's language; ``answer`` then sets the headers."""
        language = negotiate(offers, lang=self.lang, accept=self.accept)
        self.served = Served(language, offers.default_language)
        return self.served

    def write(self, offers: Offers) -> Served:
        """The write's language: ``?lang=`` or the network's default."""
        language = (
            check_offered(offers, self.lang) if self.lang is not None else offers.default_language
        )
        self.served = Served(language, offers.default_language)
        return self.served

    def answer(self, body: T) -> T:
        """Set ``Content-Language`` (and ``Vary``) from what was served; returns ``body``."""
        if self.served is not None:
            self.response.headers.update(self.served.content_headers())
        return body


def _language_choice(
    response: Response,
    lang: Annotated[
        str | None, Query(min_length=2, max_length=35, description=LANG_DESCRIPTION)
    ] = None,
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            max_length=500,
            description="Languages you read, with q-values (e.g. `fi, en;q=0.5`).",
        ),
    ] = None,
) -> LanguageChoice:
    return LanguageChoice(response, lang, accept_language)


Lang = Annotated[LanguageChoice, Depends(_language_choice)]
