"""Configuration: publication settings, the regions table, per-race editorial notes.

Three YAML files, each validated strictly (``extra="forbid"``: a typo fails)::

    publication.yaml   outlet, dateline, stock sentences, links, front matter
    regions.yaml       the 38 provinces: name, short form, time zone, island group
    races.yaml         per race: incumbent, name overrides, editor notes, context

``load_config(folder)`` reads newsgen's own three files and merges each file of
``folder`` (a folder, or one of the three files itself) over its namesake: a
user's file holds only what it changes. Mappings merge key by key at any depth;
any other value (a list, a string, a number) replaces the default whole. The
merged file is validated as strictly as a whole one (an unknown key is an error
naming the user's file and the key), and every problem is reported at once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError
from .text import one_line
from .yamlsafe import DuplicateKeyError, YAMLError, load_unique

ZoneName = Literal["WIB", "WITA", "WIT"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


#: Editor-typed text printed in articles (names, notes): one clean line, as data is
#: (models.one_line); its length is checked per race (validate.check_texts).
Line = Annotated[str, AfterValidator(one_line)]


#: A stock sentence: one text, or a list of variants that say the same thing, of which each
#: race takes one by its seed (as phrases.yaml's variants), so a night's articles differ.
StockText = str | Annotated[list[str], Field(min_length=1)]


class StockSentences(_Strict):
    """Stock sentences of the publication (Jinja, rendered in the sandbox)."""

    attribution: dict[str, StockText]  # by stage
    #: by stage; an official recap by outcome too: official_recap (a winner),
    #: official_recap_second_round, official_recap_tie_rule_gubernur, official_recap_tie_rule_daerah,
    #: official_recap_rerun
    caveat: dict[str, StockText]
    disclosure: dict[str, StockText] = Field(default_factory=dict)  # by stage; none: no disclosure line
    sign_off: str = "(*)"


class Thresholds(_Strict):
    """Editorial thresholds, in percentage points or percent of TPS."""

    narrow_margin: Decimal = Decimal("2")
    landslide_margin: Decimal = Decimal("30")
    early_progress: Decimal = Decimal("20")
    tps_capacity: int = Field(default=600, gt=0)  # voters one TPS may hold (Pilkada 2024: 600)
    share_jump_points: Decimal = Decimal("10")  # largest plausible share change between snapshots
    #: points: a share this close to a legal 50% bar (DKI one round, a single ticket) is reported as close
    threshold_close: Decimal = Decimal("1")
    #: minutes: data timed later than the run's time (--now, else the clock) by more than this is held back
    future_tolerance_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)


class Output(_Strict):
    """How articles are laid out in the output folder (stable per race)."""

    #: bundle: <slug>/index.md + <slug>/chart.svg (Hugo page bundles, Astro)
    #: flat:   <slug>.md + <slug>.svg
    #: dated:  YYYY-MM-DD-<slug>.md + .svg, the date of first publication (Jekyll _posts)
    layout: Literal["bundle", "flat", "dated"] = "bundle"
    #: Write a vote-share chart (SVG) per article and show it in the text.
    charts: bool = True
    #: How an article refers to its chart; {file} is the chart's file name.
    chart_url: str = "{file}"
    #: "Baca Juga" lines: "published" links only siblings whose article is published (draft: false
    #: on disk), so a published story never links a draft (a 404); "hugo" writes a shortcode,
    #: baca-juga, that the site resolves and drops while the target is a draft (the recipe in
    #: examples/ ships it); "all" links every sibling of the run (a CMS that publishes all at once).
    links: Literal["published", "hugo", "all"] = "published"


#: A year written out in a setting ("pilkada-2024", "https://pilkada2024.kpu.go.id/").
_YEAR = re.compile(r"(?<!\d)(?:19|20|21)\d{2}(?!\d)")


class Publication(_Strict):
    outlet: str
    dateline: str
    author: str
    #: ``{year}`` in section, categories and public_site is the election_year: a new election
    #: changes that one setting.
    section: str = "pilkada-{year}"
    link_pattern: str = "/{section}/{slug}/"
    categories: list[str] = Field(default_factory=lambda: ["Pilkada {year}"])
    #: KPU's results site of the election (pilkada2020.kpu.go.id, pilkada2024.kpu.go.id).
    public_site: str = "https://pilkada{year}.kpu.go.id/"
    stock: StockSentences
    thresholds: Thresholds = Thresholds()
    baca_juga_max: int = Field(default=2, ge=0, le=3)
    #: Where the review page links each article: a URL pattern with {path}, {slug}, {section}
    #: and {race} (e.g. the CMS's editor, "https://cms.example/edit/{section}/{slug}"); none: the
    #: article file itself.
    review_url: str | None = None
    #: The election every race of a run belongs to: a race of another year is held back.
    election_year: int = Field(default=2024, ge=2000, le=2100)
    output: Output = Output()

    @model_validator(mode="before")
    @classmethod
    def _year(cls, data: Any) -> Any:
        """``{year}`` in section, categories and public_site becomes the election year (the year of the model's
        default when election_year is not a whole number: that error is reported on its own)."""
        if not isinstance(data, dict):
            return data
        year = data.get("election_year", cls.model_fields["election_year"].default)
        year = str(year) if isinstance(year, int) and not isinstance(year, bool) else "{year}"
        data = dict(data)
        for key in ("section", "categories", "public_site"):
            default = cls.model_fields[key].get_default(call_default_factory=True)
            value = data.get(key, default)
            if isinstance(value, str):
                data[key] = value.replace("{year}", year)
            elif isinstance(value, list):
                data[key] = [v.replace("{year}", year) if isinstance(v, str) else v for v in value]
        return data

    @model_validator(mode="after")
    def _one_election(self) -> Publication:
        """No setting names another year than election_year (a 2029 publication left with 2024's site)."""
        for key, value in (("section", self.section), ("public_site", self.public_site),
                           *((f"categories.{i}", c) for i, c in enumerate(self.categories))):
            stale = [y for y in _YEAR.findall(value) if int(y) != self.election_year]
            if stale:
                raise ValueError(f"{key}: {value!r} names {stale[0]}, but election_year is {self.election_year}; "
                                 f"set {key} for {self.election_year} (in section, categories and public_site, "
                                 "{year} stands for election_year)")
        return self


def stock_texts(publication: Publication) -> dict[str, tuple[str, ...]]:
    """Every stock sentence of a publication by name ("caveat.real_count", "dateline"), as its variants."""
    stock = publication.stock
    texts: dict[str, StockText] = {f"attribution.{k}": v for k, v in stock.attribution.items()}
    texts |= {f"caveat.{k}": v for k, v in stock.caveat.items()}
    texts |= {f"disclosure.{k}": v for k, v in stock.disclosure.items()}
    texts |= {"sign_off": stock.sign_off, "dateline": publication.dateline}
    return {name: (text,) if isinstance(text, str) else tuple(text) for name, text in texts.items()}


class Province(_Strict):
    #: Who runs the province's elections: KPU, or in Aceh the Komisi Independen Pemilihan.
    election_body: Literal["KPU", "KIP"] = "KPU"
    name: str
    short: str
    zone: ZoneName
    island: str
    capital: str
    neighbours: list[str] = Field(default_factory=list)
    governor_race: bool = True
    #: Its kab/kota are administrative, not autonomous (DKI Jakarta): "Kota Administrasi
    #: Jakarta Pusat", "Kabupaten Administrasi Kepulauan Seribu" at first mention.
    administrative: bool = False


class Regions(_Strict):
    provinces: dict[str, Province]
    #: Place names as the house writes them, by KPU's spelling once cased ("Palangkaraya" ->
    #: "Palangka Raya"); applied to region and sub-region names, whole words only.
    places: dict[str, Line] = Field(default_factory=dict)
    #: Abbreviated words of KPU's place names written in full, word by word ("Kab. Adm. Kep.
    #: Seribu" -> "Kabupaten Administrasi Kepulauan Seribu"); applied before ``places``.
    abbreviations: dict[str, Line] = Field(default_factory=dict)

    def place(self, name: str) -> str:
        """``name`` with its abbreviations written out and the house spelling of any place in it
        (``Kota Adm. Jakarta Pusat`` -> ``Kota Administrasi Jakarta Pusat``, ``Kota Palangkaraya``
        -> ``Kota Palangka Raya``)."""
        if self.abbreviations:
            name = " ".join(self.abbreviations.get(word, word) for word in name.split(" "))
        for kpu, house in self.places.items():
            if name == kpu or name.endswith(" " + kpu):
                return name[: len(name) - len(kpu)] + house
        return name

    @field_validator("provinces")
    @classmethod
    def _codes(cls, value: dict[str, Province]) -> dict[str, Province]:
        for code, province in value.items():
            if len(code) != 2 or not code.isdigit():
                raise ValueError(f"province code {code!r} is not two digits")
            unknown = [n for n in province.neighbours if n not in value]
            if unknown:
                raise ValueError(f"province {code} lists unknown neighbours {unknown}")
        return value


_URL = r"^https?://[^\s]+$"


class TicketOverride(_Strict):
    """Editor overrides of one ticket's names and chart colour (by nomor urut)."""

    head: Line | None = None
    deputy: Line | None = None
    head_short: Line | None = None  # how readers know the head ("Rudy" in "Rudy-Seno")
    deputy_short: Line | None = None
    colour: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")  # replaces KPU's warna
    source: str | None = Field(default=None, pattern=_URL)  # where the short names come from


class Incumbent(_Strict):
    """A candidate who holds (or held in the term just ended) the office at stake."""

    name: Line = Field(min_length=1)  # as the article prints it: "Zainal Paliwang"
    ticket: int = Field(ge=1)  # nomor urut of the 2024 ticket the person runs on
    position: Literal["head", "deputy"]  # on that ticket
    role: Literal["kepala", "wakil"]  # the office held: head of region or deputy
    office: Line = Field(min_length=1)  # "Gubernur Kalimantan Utara"
    period: str = Field(pattern=r"^\d{4}-\d{4}$")  # "2021-2025"
    source: str = Field(pattern=_URL)


class RaceNotes(_Strict):
    """What editors know about a race that the data does not say."""

    incumbents: list[Incumbent] = Field(default_factory=list)
    tickets: dict[int, TicketOverride] = Field(default_factory=dict)
    notes: list[Line] = Field(default_factory=list)  # campaign context paragraphs
    region_context: Line = ""  # closing paragraph about the region


class Races(_Strict):
    races: dict[str, RaceNotes] = Field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    publication: Publication
    regions: Regions
    races: Races
    folder: Path | None  # the user's folder, None for packaged defaults only
    #: The user's files merged over newsgen's, by name ("publication.yaml" -> its path).
    files: dict[str, Path] = field(default_factory=dict)

    def province(self, code: str) -> Province:
        try:
            return self.regions.provinces[code[:2]]
        except KeyError:
            raise ConfigError(
                f"regions.yaml: no province {code[:2]!r}; add it to the provinces table"
            ) from None

    def notes(self, race: str) -> RaceNotes:
        return self.races.races.get(race, RaceNotes())

    def path(self, name: str) -> Path:
        """The file a config setting was read from: the user's ``name`` (merged over newsgen's), else newsgen's own."""
        if name in self.files:
            return self.files[name]
        if self.folder is not None and (self.folder / name).exists():
            return self.folder / name
        return data_path("config", name)


@functools.lru_cache(maxsize=64)
def data_path(*parts: str) -> Path:
    """A folder shipped with newsgen (templates, config, examples).

    In a source checkout these are the top-level folders; in an installed wheel
    they live under ``generator/_data``.
    """
    packaged = Path(str(resources.files("generator"))) / "_data"
    checkout = Path(__file__).resolve().parent.parent
    for base in (packaged, checkout):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise ConfigError(f"newsgen's own {'/'.join(parts)} folder is missing; reinstall newsgen")


_FILES: dict[str, type[BaseModel]] = {"publication.yaml": Publication, "regions.yaml": Regions, "races.yaml": Races}


def read_yaml(path: Path) -> object:
    """Safe-load one YAML file, with errors naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return load_unique(text)
    except DuplicateKeyError as exc:
        raise ConfigError(f"{path}: " + "; ".join(map(str, exc.duplicates))) from None
    except (YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = ((f"not a valid date or time: {exc}" if isinstance(exc, ValueError) else None)
                   or getattr(exc, "problem", None) or str(exc))
        raise ConfigError(f"{where}: malformed YAML ({problem})") from None


def format_validation(error: ValidationError) -> list[str]:
    """Pydantic errors as ``field.path: message`` lines."""
    lines = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "(top level)"
        msg = item["msg"].removeprefix("Value error, ")
        if not item["loc"] and re.match(r"^[a-z_][a-z_0-9.]*: ", msg):  # a model check names its field first
            loc, msg = msg.split(": ", 1)
        if item["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        lines.append(f"{loc}: {msg}")
    return lines


def merge(base: Any, override: Any) -> Any:
    """``override`` over ``base``: mappings merge key by key at any depth, anything else
    (a list, a scalar, null) replaces the default whole."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return override


def user_files(given: Path | None) -> dict[str, Path]:
    """The user's config files by name: those of a folder, or one file named like newsgen's."""
    if given is None:
        return {}
    if given.is_file():
        if given.name not in _FILES:
            raise ConfigError(f"--config {given}: expected a folder, or a file named {', '.join(_FILES)}; "
                              "rename it after the file of newsgen's it changes")
        return {given.name: given}
    if not given.is_dir():
        raise ConfigError(f"config folder {given} does not exist")
    return {name: given / name for name in _FILES if (given / name).is_file()}


def load_config(folder: Path | None = None) -> Config:
    """Load newsgen's three config files with the user's merged over them (:func:`merge`),
    validate them and report all problems at once, each naming the file it is in."""
    defaults = data_path("config")
    mine = user_files(folder)
    loaded: dict[str, BaseModel] = {}
    problems: list[str] = []
    for name, model in _FILES.items():
        path = mine.get(name, defaults / name)
        try:
            raw = read_yaml(defaults / name)
            if name in mine:
                raw = merge(raw, _mapping(read_yaml(path), path))
            loaded[name] = model.model_validate(raw if raw is not None else {})
        except ConfigError as exc:
            problems.append(str(exc))
        except ValidationError as exc:
            problems.extend(f"{path}: {line}" for line in format_validation(exc))
    if problems:
        raise ConfigError("configuration is invalid:\n  " + "\n  ".join(problems))
    return Config(
        publication=loaded["publication.yaml"],  # type: ignore[arg-type]
        regions=loaded["regions.yaml"],  # type: ignore[arg-type]
        races=loaded["races.yaml"],  # type: ignore[arg-type]
        folder=folder if folder is not None and folder.is_dir() else None,
        files=mine,
    )


def _mapping(raw: object, path: Path) -> dict[str, Any]:
    """A user's config file as a mapping (an empty file changes nothing)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (key: value) at the top level, "
                          f"found {type(raw).__name__}; write only the settings to change, e.g. "
                          "thresholds: {{narrow_margin: 3}}")
    return raw
