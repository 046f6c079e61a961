"""The calendar of tasks: every district of every campaign is settled once per local
day (the reactions to other services' facts, subscriptions.py, settle as they come)."""
import logging
import os

from nameko.timer import Timer

from shared import config
from shared.errors import OtgError

from . import mirror, plans
from . import projections as views
from .domain import Campaign, DistrictCampaign, Plan
from .subscriptions import settle

log = logging.getLogger(__name__)


class Periodic(Timer):
    """nameko's timer, with the interval read when the service starts
    (`OTG_CHECK_INTERVAL`), not when the module is imported, and a first
    check at once: a restarted service catches up without waiting."""

    def __init__(self, **kwargs):
        super().__init__(interval=None, eager=True, **kwargs)

    def setup(self):
        self.interval = config.check_interval()


periodic = Periodic.decorator


class Calendar:
    """Mixed into TasksService (uses its store, clock, memory and catch_up)."""

    # -- the calendar ----------------------------------------------------------------------
    @periodic()
    def check_deadlines(self):
        """Settle every district of every campaign once per local day, after a restart
        and after a catch-up; the event handlers settle their district as facts arrive."""
        self._load_configured_plans()
        if self._catching_up():
            return
        replays = self.catch_up.replays if self.catch_up else 0
        caught_up, self.memory["replays"] = self.memory.get("replays") != replays, replays
        with self.store.read() as conn:
            campaigns = [Plan(data) for data in views.all_campaigns(conn)]
        for plan in campaigns:
            today = plan.today(self.clock.now())
            if caught_up or self.memory.get(plan.id) != today:
                for district in plan.districts:
                    self._settle_if_due(plan, district, today)
                self.memory[plan.id] = today

    # -- helpers -------------------------------------------------------------------------
    def _catching_up(self):
        """Histories of several services come in side by side at a catch-up: a share
        measured then (the inspections in, half the institutions not yet) would
        complete a task for good, so settling waits for the check after it."""
        return bool(self.catch_up and self.catch_up.replaying)

    def _settle(self, uow, plan, district, part=None):
        settle(uow, plan, district, self.clock.now(), self._catching_up(), part)

    def _settle_if_due(self, plan, district, today):
        """Look first without the write lock; write only when something is due."""
        store = self.store.store
        stream = DistrictCampaign.stream_id(plan.id, district)
        with store.read() as conn:
            measured = plan.measure_all(mirror.facts(conn, plan.id, district, plan.since()))
            part = DistrictCampaign.replay(stream, map(store.decode, store.load_stream(stream, conn)))
        if part.needs_settling(plan, measured, today):
            with self.store.unit() as uow:
                self._settle(uow, plan, district)

    def _load_configured_plans(self):
        """Start the campaigns of the plan files in OTG_TASKS_PLANS (comma-separated)
        that have not started yet; once per process."""
        if self.memory.get("plans loaded"):
            return
        self.memory["plans loaded"] = True
        for path in filter(None, os.environ.get("OTG_TASKS_PLANS", "").split(",")):
            try:
                with open(path.strip(), "rb") as handle:
                    plan_data = plans.parse(handle.read())
                with self.store.unit() as uow:
                    if not uow.get(Campaign, Campaign.stream_id(plan_data["campaign_id"])):
                        uow.save(Campaign.start(plan_data))
                        log.info("started campaign %s from %s", plan_data["campaign_id"], path)
            except (OSError, OtgError) as error:
                log.error("cannot load the plan file %s: %s %s", path, error,
                          getattr(error, "fields", ""))
