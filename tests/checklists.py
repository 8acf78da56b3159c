"""The indicators of a methodology's default checklist instrument: what a round created from
that methodology alone uses (``compliance.models.default_instrument``). Indicator codes repeat
across instruments, so tests look indicators up here rather than in ``Indicator.objects``."""
from compliance.models import Indicator


def checklist(methodology="ombudsman-2022"):
    return Indicator.objects.filter(instrument__methodology__code=methodology,
                                    instrument__purpose="self_assessment",
                                    instrument__is_default=True)
