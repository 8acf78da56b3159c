"""``manage.py generate_national [--scale 1.0] [--seed N]``: the synthetic nation for benchmarks.

Running it again with the same parameters reuses the nation that is there; it refuses to touch a
database holding non-synthetic data (see ``assessments.synthetic``)."""
import json

from django.core.management.base import BaseCommand, CommandError

from assessments.synthetic import (DEFAULT_AGENCIES, DEFAULT_INSTRUMENT, DEFAULT_SEED,
                                   NonSyntheticData, OtherNation, Params, current_instrument,
                                   generate)


class Command(BaseCommand):
    help = ("Build a deterministic synthetic nation (38 provinces, 416 kabupaten, 98 kota at "
            "scale 1, two service products per unit) with a fully answered current round and "
            "three official rounds.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="share of the national number of governments (0.1 = quick)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--agencies", type=int, default=DEFAULT_AGENCIES,
                            help="mean number of agencies per government")
        parser.add_argument("--instrument", default=DEFAULT_INSTRUMENT,
                            help="code of the current round's instrument (ombudsman-2022)")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print the summary as JSON")

    def handle(self, *args, scale, seed, agencies, instrument=DEFAULT_INSTRUMENT, as_json=False,
               **options):
        if scale <= 0 or agencies < 7:
            raise CommandError("--scale must be positive and --agencies at least 7.")
        params = Params(scale=scale, seed=seed, agencies=agencies, instrument=instrument)
        try:
            chosen = current_instrument(params)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            summary = generate(params, log=lambda text: self.stdout.write(text)
                               if options.get("verbosity", 1) > 1 else None)
        except (NonSyntheticData, OtherNation) as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(_dumps(summary))
        elif summary["status"] == "reused":
            self.stdout.write(f"The synthetic nation ({params.current_round_name(chosen)}) is "
                              f"already here; reused ({summary['seconds']} s).")
        else:
            self.stdout.write(
                f"Built in {summary['seconds']} s: {summary['provinces']} provinces, "
                f"{summary['governments']} governments {summary['levels']}, "
                f"{summary['agencies']:,} agencies, {summary['products']:,} service products "
                f"({summary['product_samples']:,} sampled), {summary['answers']:,} answers "
                f"({summary['instrument']}, {summary['answers_per_unit']} per unit); "
                f"government zones {summary['zones']}; phases {summary['timings']}.")


def _dumps(value):
    return json.dumps(value, default=str)
