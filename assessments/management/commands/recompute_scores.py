from django.core.management.base import BaseCommand
from django.db import transaction

from assessments.models import Assessment
from assessments.services.scores import assessment_recompute_scores


class Command(BaseCommand):
    help = "Rebuild the stored scores of assessments from their answers."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, default=None, help="round id (default: all)")

    def handle(self, *args, round=None, **options):
        queryset = Assessment.objects.select_related("round").order_by("id")
        if round is not None:
            queryset = queryset.filter(round_id=round)
        count = 0
        for assessment_id in queryset.values_list("id", flat=True).iterator():
            with transaction.atomic():
                assessment = (Assessment.objects.select_for_update().select_related("round")
                              .get(id=assessment_id))
                assessment_recompute_scores(assessment=assessment)
            count += 1
        self.stdout.write(f"{count} assessments recomputed.")
