"""The extractor contract, over every built-in extractor and every seed document.

The built-ins are loaded through their entry points, as users get them, and held to the
same suite third-party plugins inherit from ``factfold.testing``.
"""

from __future__ import annotations

from helpers import SEEDS

from factfold.testing import ExtractorContract


class TestPeopleContract(ExtractorContract):
    plugin = "people"
    documents = (SEEDS,)


class TestMeetingsContract(ExtractorContract):
    plugin = "meetings"
    documents = (SEEDS,)


class TestAgreementsContract(ExtractorContract):
    plugin = "agreements"
    documents = (SEEDS,)


class TestStatisticsContract(ExtractorContract):
    plugin = "statistics"
    documents = (SEEDS,)
