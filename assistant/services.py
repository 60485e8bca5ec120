"""What the surfaces hold: the answering and curation services, the activity log and the
index, built together by `assistant.factory.build_services`."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from assistant.activity.log import ActivityLog
from assistant.answering.service import AnsweringService
from assistant.curation.service import CurationService
from assistant.insights.service import Insights
from assistant.verified.service import VerifiedAnswers
from ingest.knowledge_index import KnowledgeIndex

logger = logging.getLogger(__name__)


@dataclass
class Signpost:
    answering: AnsweringService
    curation: CurationService
    activity: ActivityLog
    index: KnowledgeIndex
    verified: VerifiedAnswers
    insights: Insights

    def check_ready(self) -> None:
        """Raise StoreUnavailable or UnavailableError naming what is unreachable."""
        self.index.store.heartbeat()  # StoreUnavailable
        self.activity.ping()  # UnavailableError

    def purge(self, older_than_days: int) -> tuple[int, int]:
        """Delete stored questions and feedback older than the retention period."""
        questions, feedback = self.activity.purge(dt.timedelta(days=older_than_days))
        logger.info("purged old records", extra={"questions": questions, "feedback": feedback})
        return questions, feedback
