"""Times in the government's own time zone, with its label: an operator in Kendari (WITA)
reads "14.05 WITA", not the server's WIB without a word."""
from django import template
from django.utils import formats

register = template.Library()


def _province(place):
    return getattr(place, "province", place)


@register.filter
def local_time(value, place):
    """``{{ event.at|local_time:government }}``: date and time in the province's zone, with
    "WIB", "WITA" or "WIT" after it (the site's zone and no label when it is unknown)."""
    if value is None:
        return ""
    province = _province(place)
    if province is None or not getattr(province, "time_zone", ""):
        return formats.date_format(value, "DATETIME_FORMAT")
    local = province.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {province.zone_abbreviation}"


@register.filter
def local_date(value, place):
    """The calendar date of ``value`` in the province's zone (a time just after midnight in
    Papua is still the day before in Jakarta)."""
    if value is None:
        return ""
    province = _province(place)
    if province is None or not getattr(province, "time_zone", ""):
        return formats.date_format(value, "DATE_FORMAT")
    return formats.date_format(province.localtime(value), "DATE_FORMAT")
