"""One way to say a rank, in the reader's language: "13 dari 15 kabupaten di Sulawesi
Tenggara", "249 dari 416 kabupaten nasional".

Published tables write ranks in many ways ("1 of 15 kabupaten in the province", "91 of 98 kota
nationally", "32 of 34 provinces", or a bare "13" in a column whose header names the group);
``parse_published_rank`` reads them into parts so that pages print them in the same form as the
ranks the app computes, in the column they belong to (province or national)."""
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

PUBLISHED = re.compile(
    r"^\s*(?P<rank>\d+)\s*(?:(?:of|dari|/)\s*(?P<total>\d+))?\s*(?P<group>kabupaten|kota|"
    r"provinsi|provinces?|regenc(?:y|ies)|cit(?:y|ies))?\s*(?P<where>.*)$", re.IGNORECASE)
NATIONAL_WORDS = ("national", "nasional", "indonesia")
GROUPS = {"kabupaten": "kabupaten", "regency": "kabupaten", "regencies": "kabupaten",
          "kota": "kota", "city": "kota", "cities": "kota",
          "provinsi": "provinsi", "province": "provinsi", "provinces": "provinsi"}


@dataclass(frozen=True)
class PublishedRank:
    rank: int
    total: int | None
    group: str | None  # kabupaten / kota / provinsi, when the text names it
    national: bool


def parse_published_rank(text: str, level: str | None = None) -> PublishedRank | None:
    """The parts of a published rank, or None when the text is not a rank. Provinces are only
    ever ranked nationally; a text without "national" is a rank within the province."""
    match = PUBLISHED.match(text or "")
    if not match:
        return None
    group = GROUPS.get((match.group("group") or "").lower()) or level
    where = match.group("where").lower()
    national = group == "provinsi" or any(word in where for word in NATIONAL_WORDS)
    total = int(match.group("total")) if match.group("total") else None
    return PublishedRank(rank=int(match.group("rank")), total=total, group=group,
                         national=national)


def group_name(group: str | None) -> str:
    """The peer group as counted in a rank ("15 kabupaten", "34 provinsi")."""
    names = {"kabupaten": pgettext("counted group", "kabupaten"),
             "kota": pgettext("counted group", "kota"),
             "provinsi": pgettext("counted group", "provinces")}
    return names.get(group or "", pgettext("counted group", "governments"))


def rank_phrase(rank, total, group: str | None, province: str | None = None) -> str:
    """"13 of 15 kabupaten in Sulawesi Tenggara" or, without a province, "249 of 416 kabupaten
    nationally"; without a total, just the rank with its scope."""
    if rank is None:
        return ""
    names = {"rank": rank, "total": total, "group": group_name(group), "province": province}
    if province:
        if total:
            return _("%(rank)s of %(total)s %(group)s in %(province)s") % names
        return _("%(rank)s among the %(group)s in %(province)s") % names
    if total:
        return _("%(rank)s of %(total)s %(group)s nationally") % names
    return _("%(rank)s among the %(group)s nationally") % names


def published_phrase(text: str, level: str, province: str) -> tuple[str, bool]:
    """(the published rank in the common form, whether it is national); the text itself when
    it cannot be read as a rank."""
    parsed = parse_published_rank(text, level)
    if parsed is None:
        return text, False
    return (rank_phrase(parsed.rank, parsed.total, parsed.group,
                        None if parsed.national else province), parsed.national)
