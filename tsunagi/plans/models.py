"""The support plan (支援プラン / プラン兼事業等利用申込書) and its evaluation (評価).

A plan is written with the person: their wishes in their own words are required (rule R1), the
family's wishes are kept apart when they differ. Each item has exactly one responsible agency
(rule R4), and optionally a service of the poverty system, of a hikikomori agency, or a linked
system. A plan is approved at a support coordination meeting and then the municipality's support
decision (支援決定) is recorded. A re-plan is a new version; the old one stays as it was.
The accompaniment mode (伴走型) has no end goal and no end date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved at the meeting")
    DECIDED = "decided", _("Support decided")
    EVALUATED = "evaluated", _("Evaluated")
    SUPERSEDED = "superseded", _("Replaced by a new plan")


class PlanMode(models.TextChoices):
    GOALS = "goals", _("With goals and a period")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment without an end goal (伴走型)")


class Service(models.TextChoices):
    """What an item uses: the poverty system's programmes, a hikikomori agency's support, or a
    linked system (rules R3b, R4, R7)."""

    # 生活困窮者自立支援制度
    EMPLOYMENT_PREPARATION = (
        "employment_preparation",
        _("Employment preparation support (就労準備支援)"),
    )
    HOUSEHOLD_BUDGET = "household_budget", _("Household budget improvement support (家計改善支援)")
    HOUSING_BENEFIT = "housing_benefit", _("Housing security benefit (住居確保給付金)")
    HOUSING_SUPPORT = "housing_support", _("Housing support (居住支援, formerly 一時生活支援)")
    CHILDREN_LEARNING = "children_learning", _("Learning and living support for children")
    CERTIFIED_WORK_TRAINING = "certified_work_training", _("Certified work training (認定就労訓練)")
    SELF_RELIANCE_CONSULTATION = (
        "self_reliance_consultation",
        _("Self-reliance consultation and job search support"),
    )
    # ひきこもり支援機関
    HIKIKOMORI_CONSULTATION = "hikikomori_consultation", _("Consultation (相談)")
    PLACE = "place", _("Place to be (居場所)")
    HOME_VISIT = "home_visit", _("Home visits (訪問)")
    FAMILY_PEER_GROUP = "family_peer_group", _("Family association or peer group")
    # 他制度
    LINKED_SYSTEM = "linked_system", _("Linked system")
    OTHER = "other", _("Other")


class GoalTerm(models.TextChoices):
    SHORT = "short", _("Short-term goal")
    LONG = "long", _("Long-term goal")


class SupportPlan(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency making the plan"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="plans"
    )
    case = models.ForeignKey(
        "people.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="plans"
    )
    number = models.PositiveSmallIntegerField(_("plan number"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_plan",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT
    )
    mode = models.CharField(
        _("mode"), max_length=20, choices=PlanMode.choices, default=PlanMode.GOALS
    )
    person_wishes = models.TextField(_("the person's wishes, in their words"))
    family_wishes = models.TextField(_("the family's wishes, where they differ"), blank=True)
    overall_aim = models.TextField(_("overall aim (支援方針)"), blank=True)
    starts_on = models.DateField(_("plan period from"))
    ends_on = models.DateField(_("plan period until"), null=True, blank=True)
    review_on = models.DateField(_("review (monitoring) date"), null=True, blank=True)
    approved_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("approved at"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_plans",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    decided_on = models.DateField(_("support decided on (支援決定)"), null=True, blank=True)
    decided_by = models.CharField(
        _("support decided by"),
        max_length=200,
        blank=True,
        help_text=_("The municipality (or its office) that made the support decision."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-number", "-id"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        indexes = [
            models.Index(fields=["case", "-number"], name="plan_case"),
            models.Index(fields=["agency", "state", "review_on"], name="plan_review"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_number_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} #{self.number}"

    @property
    def is_current(self) -> bool:
        return self.state != PlanState.SUPERSEDED


class Goal(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals")
    term = models.CharField(_("term"), max_length=10, choices=GoalTerm.choices)
    text = models.CharField(_("goal"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text


class PlanItem(models.Model):
    """One thing to do: what, by which ONE agency (rule R4), with which service, how often."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="items")
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("for the goal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )
    what = models.CharField(_("support"), max_length=300)
    responsible_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    service = models.CharField(_("service"), max_length=40, choices=Service.choices, blank=True)
    frequency = models.CharField(_("how often, when"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")

    def __str__(self) -> str:
        return self.what


class Decision(models.TextChoices):
    END = "end", _("End of support")
    REPLAN = "replan", _("A new plan")
    FOLLOW_UP = "follow_up", _("Follow-up without a plan")


class Achievement(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class Evaluation(models.Model):
    """評価 at the end of the period: per goal, the person's view, the decision, the outcomes.
    Outcomes count every step towards self-reliance, not only work (handbook)."""

    plan = models.OneToOneField(SupportPlan, on_delete=models.PROTECT, related_name="evaluation")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    evaluated_on = models.DateField(_("evaluated on"))
    person_view = models.TextField(_("the person's view, in their words"))
    staff_view = models.TextField(_("the supporters' view"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    found_work = models.BooleanField(_("found work (就労)"), default=False)
    income_rose = models.BooleanField(_("income rose (増収)"), default=False)
    step_daily_life = models.BooleanField(_("step in daily life (日常生活自立)"), default=False)
    step_social_life = models.BooleanField(_("step in social life (社会生活自立)"), default=False)
    step_work = models.BooleanField(_("step towards work (就労自立)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        indexes = [models.Index(fields=["agency", "evaluated_on"], name="evaluation_agency")]

    def __str__(self) -> str:
        return f"{self.plan} {self.evaluated_on}"


class GoalResult(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="results")
    achievement = models.CharField(_("result"), max_length=20, choices=Achievement.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["goal__order", "id"]
        verbose_name = _("result for a goal")
        verbose_name_plural = _("results for goals")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "goal"], name="one_result_per_goal")
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.achievement}"
