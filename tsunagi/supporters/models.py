"""Hikikomori supporters (ひきこもりサポーター): training, roster, dispatch, visits and incidents.

The implementation guideline (seed 004 第3) lays down every step and rules S1-S8 restate them:
the prefecture (or a designated city) trains supporters, including peer supporters (S1); only
those who finished the training and signed their consent to act are on the roster (S2); the
roster goes to the municipalities that run or plan dispatch, each of which confirms again that
a supporter still wants to act (S3); a dispatch starts at the person's or the family's request,
with a written purpose, activity plan and activities and both consents before the first visit
(S4); a request to stop stops it at once (S5); visits are reported and the municipality gives
guidance (S6); found cases and economic need are passed on (S7); incidents are followed to
closure (S8).

The supporters' own records (the volunteer, their training, their place on each roster) are
personal data of the supporter; the dispatch, its visit reports, incidents and found-case
reports belong to the municipality's office that runs the dispatch (access.md, grant 4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- training (rule S1) -------------------------------------------------------------------------


class CourseKind(models.TextChoices):
    BASIC = "basic", _("Supporter training course (養成研修)")
    FOLLOW_UP = "follow_up", _("Follow-up training (継続研修)")


class SessionFormat(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    GROUP_WORK = "group_work", _("Group work")
    PRACTICE = "practice", _("Practice / role play")
    ONLINE = "online", _("Online")


class TrainingCourse(models.Model):
    """A course run by the prefecture or a designated city, possibly on commission (S1)."""

    prefecture = models.ForeignKey(
        "jurisdictions.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="training_courses",
    )
    organiser = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="training_courses",
        help_text=_("The prefecture's or the designated city's office that runs the course."),
    )
    commissioned_to = models.CharField(
        _("commissioned to"),
        max_length=200,
        blank=True,
        help_text=_("A social welfare corporation, NPO or family association running it (委託先)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("content"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        indexes = [models.Index(fields=["prefecture", "-starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    format = models.CharField(
        _("format"), max_length=20, choices=SessionFormat.choices, default=SessionFormat.LECTURE
    )

    class Meta:
        ordering = ["held_on", "starts_at", "pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


# --- the supporter (rules S1-S3) ------------------------------------------------------------


class PeerBackground(models.TextChoices):
    """ピアサポーター: people with lived experience and their families (S1)."""

    NONE = "", _("Not a peer supporter")
    LIVED_EXPERIENCE = "lived_experience", _("Peer supporter: own experience of withdrawal")
    FAMILY = "family", _("Peer supporter: family member of someone withdrawn")


class Slot(models.TextChoices):
    """When a supporter can visit, and when a household would like visits."""

    WEEKDAY_MORNING = "weekday_morning", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("Weekday afternoons")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND_MORNING = "weekend_morning", _("Weekend mornings")
    WEEKEND_AFTERNOON = "weekend_afternoon", _("Weekend afternoons")
    WEEKEND_EVENING = "weekend_evening", _("Weekend evenings")


class Language(models.TextChoices):
    JAPANESE = "ja", _("Japanese")
    ENGLISH = "en", _("English")
    CHINESE = "zh", _("Chinese")
    KOREAN = "ko", _("Korean")
    PORTUGUESE = "pt", _("Portuguese")
    VIETNAMESE = "vi", _("Vietnamese")
    TAGALOG = "tl", _("Tagalog")
    SIGN = "jsl", _("Japanese Sign Language")


class SupporterSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSTATED = "", _("Not stated")


class Supporter(models.Model):
    """A person trained as a ひきこもりサポーター; on the roster once registered (S2)."""

    prefecture = models.ForeignKey(
        "jurisdictions.Prefecture",
        verbose_name=_("registered by (prefecture)"),
        on_delete=models.PROTECT,
        related_name="supporters",
    )
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True, db_index=True)
    sex = models.CharField(
        _("sex"), max_length=10, choices=SupporterSex.choices, blank=True, default=""
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    municipality = models.ForeignKey(
        "jurisdictions.Municipality",
        verbose_name=_("lives in"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        related_name="supporter",
        null=True,
        blank=True,
        help_text=_("The supporter's own login for the phone view of their dispatches."),
    )
    peer = models.CharField(
        _("peer supporter"), max_length=20, choices=PeerBackground.choices, blank=True, default=""
    )
    areas = models.ManyToManyField(
        "jurisdictions.Municipality",
        verbose_name=_("areas they can cover"),
        related_name="supporters_covering",
        blank=True,
    )
    availability = models.JSONField(_("available"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    preferences = models.TextField(
        _("their own preferences"),
        blank=True,
        help_text=_("What the supporter would like to do or avoid, in their words."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # rule S2: the signed consent to act, after being told that their details go to the
    # municipalities that dispatch supporters
    consent_signed_on = models.DateField(_("consent to act signed on"), null=True, blank=True)
    consent_explained = models.BooleanField(
        _("told that their details go to dispatching municipalities"), default=False
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawn_on = models.DateField(_("withdrew on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("why they withdrew"), max_length=200, blank=True)
    source = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name_kana", "name", "pk"]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        indexes = [models.Index(fields=["prefecture", "withdrawn_on", "name_kana"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_peer(self) -> bool:
        return bool(self.peer)


class Enrolment(models.Model):
    """A supporter (or a trainee who will become one) on a course; completion is recorded."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="enrolments")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="enrolments")
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "supporter"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "supporter"], name="enrolment_once")
        ]
        indexes = [models.Index(fields=["supporter", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.supporter} — {self.course}"


class Attendance(models.Model):
    """One supporter present at one session."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="attendances")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "supporter"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.supporter} @ {self.session}"


class RosterReleaseKind(models.TextChoices):
    RUNS = "runs", _("Runs the dispatch programme")
    PLANS = "plans", _("Plans to run the dispatch programme")


class RosterRelease(models.Model):
    """Rule S3: the prefecture gives its roster to a municipality (a logged hand-over)."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("given to"),
        on_delete=models.PROTECT,
        related_name="roster_releases",
        help_text=_("The municipal office that runs or plans the dispatch programme."),
    )
    dispatch_status = models.CharField(
        _("dispatch programme"), max_length=10, choices=RosterReleaseKind.choices
    )
    given_on = models.DateField(_("given on"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("roster hand-over")
        verbose_name_plural = _("roster hand-overs")

    def __str__(self) -> str:
        return f"{self.agency} {self.given_on}"


class RosterEntryQuerySet(models.QuerySet["RosterEntry"]):
    def current(self) -> RosterEntryQuerySet:
        """On the roster now: the supporter has not withdrawn (rule S3: a withdrawal removes
        them from every roster at once) nor told this municipality they no longer act."""
        return self.filter(supporter__withdrawn_on__isnull=True, declined_on__isnull=True)

    def matchable(self) -> RosterEntryQuerySet:
        """Rule S3: confirmed again by the municipality; only these can be matched."""
        return self.current().filter(confirmed_on__isnull=False)


class RosterEntry(models.Model):
    """A supporter on one municipality's roster, and the municipality's confirmation (S3)."""

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="roster_entries"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="roster_entries"
    )
    release = models.ForeignKey(
        RosterRelease, on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    confirmed_on = models.DateField(_("wish to act confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    declined_on = models.DateField(_("does not wish to act here since"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        ordering = ["agency", "supporter__name_kana", "pk"]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        constraints = [
            models.UniqueConstraint(fields=["supporter", "agency"], name="roster_entry_once")
        ]
        indexes = [models.Index(fields=["agency", "confirmed_on"])]

    def __str__(self) -> str:
        return f"{self.supporter} @ {self.agency}"


# --- dispatch (rules S4-S6) -------------------------------------------------------------------


class DispatchState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    MATCHED = "matched", _("Supporter chosen")
    ACTIVE = "active", _("Active")
    STOPPED = "stopped", _("Stopped")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled before it started")


class Requester(models.TextChoices):
    """Rule S4: a dispatch starts only when the person or the family asks."""

    PERSON = "person", _("The person")
    FAMILY = "family", _("The family")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("Signed")
    VERBAL = "verbal", _("Verbal (recorded by staff)")


class StopRequester(models.TextChoices):
    PERSON = "person", _("The person")
    FAMILY = "family", _("The family")
    SUPPORTER = "supporter", _("The supporter")
    MUNICIPALITY = "municipality", _("The municipality")


class Dispatch(models.Model):
    """A supporter's dispatch to a household, from the request to the stop or the end."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("dispatching office"),
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "people.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    number = models.CharField(_("dispatch number"), max_length=20, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=DispatchState.choices, default=DispatchState.REQUESTED
    )
    # the request (S4)
    requested_on = models.DateField(_("requested on"))
    requested_by = models.CharField(_("asked by"), max_length=10, choices=Requester.choices)
    requester_name = models.CharField(
        _("name of the family member who asked"), max_length=100, blank=True
    )
    person_wish = models.TextField(
        _("the person's wish"),
        help_text=_("What the person wants from a supporter, in their words."),
    )
    wants_sex = models.CharField(
        _("supporter's sex asked for"), max_length=10, choices=SupporterSex.choices, blank=True
    )
    wants_peer = models.BooleanField(_("a peer supporter asked for"), default=False)
    wanted_slots = models.JSONField(_("when visits suit"), default=list, blank=True)
    wanted_languages = models.JSONField(_("languages"), default=list, blank=True)
    request_notes = models.TextField(_("notes on the request"), blank=True)
    # the match
    supporter = models.ForeignKey(
        Supporter,
        verbose_name=_("supporter"),
        on_delete=models.PROTECT,
        related_name="dispatches",
        null=True,
        blank=True,
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    match_reasons = models.JSONField(_("why this supporter"), default=list, blank=True)
    # the dispatch plan (S4: 派遣目的, 活動計画, 活動内容)
    purpose = models.TextField(_("purpose"), blank=True)
    activity_plan = models.TextField(_("activity plan"), blank=True)
    activities = models.TextField(_("activities"), blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    # both consents before the first visit (S4)
    person_consent_on = models.DateField(_("person's consent on"), null=True, blank=True)
    person_consent_method = models.CharField(
        _("how the person consented"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    person_consent_by = models.CharField(
        _("consent given by"), max_length=10, choices=Requester.choices, blank=True
    )
    supporter_consent_on = models.DateField(_("supporter's consent on"), null=True, blank=True)
    grant = models.OneToOneField(
        "access.Grant", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # the stop (S5) or the end
    stop_requested_by = models.CharField(
        _("stop asked by"), max_length=20, choices=StopRequester.choices, blank=True
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    stop_reason = models.TextField(_("reason for stopping"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        indexes = [
            models.Index(fields=["agency", "state", "-requested_on"]),
            models.Index(fields=["supporter", "state"]),
            models.Index(fields=["person"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=~models.Q(number=""),
                name="dispatch_number_once",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        """Visits may be recorded and the supporter sees the household (rules S4/S5)."""
        return self.state == DispatchState.ACTIVE


class Guidance(models.Model):
    """Rule S6: the coordinator's advice to the supporter, shown in the supporter's view."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="guidance")
    report = models.ForeignKey(
        "VisitReport", on_delete=models.SET_NULL, related_name="guidance", null=True, blank=True
    )
    text = models.TextField(_("advice"))
    follow_up_training = models.BooleanField(_("follow-up training advised"), default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(_("read by the supporter at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("guidance")
        verbose_name_plural = _("guidance")

    def __str__(self) -> str:
        return f"{self.dispatch} {self.created_at:%Y-%m-%d}"


class VisitPlace(models.TextChoices):
    HOME = "home", _("At home")
    OUTSIDE = "outside", _("Outside the home")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone")


class MetWhom(models.TextChoices):
    PERSON = "person", _("Met the person")
    FAMILY_ONLY = "family_only", _("Met the family only")
    NOBODY = "nobody", _("Nobody answered")


class VisitReport(models.Model):
    """Rule S6: one visit, reported by the supporter (or by the coordinator for them)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("date of the visit"))
    started_at = models.TimeField(_("started at"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    place = models.CharField(_("where"), max_length=10, choices=VisitPlace.choices)
    met = models.CharField(_("who was met"), max_length=20, choices=MetWhom.choices)
    what_happened = models.TextField(_("what happened"))
    concerns = models.TextField(_("concerns"), blank=True)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")
        indexes = [
            models.Index(fields=["dispatch", "-visited_on"]),
            models.Index(fields=["agency", "visited_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} {self.visited_on}"


# --- incidents (rule S8) --------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    INJURY = "injury", _("Injury")
    ILLNESS = "illness", _("Sudden illness")
    PROPERTY = "property", _("Damage to property")
    TRAFFIC = "traffic", _("Traffic accident")
    CONFLICT = "conflict", _("Conflict or threat")
    PRIVACY = "privacy", _("Personal information lost or leaked")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")


class IncidentState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    FOLLOWING_UP = "following_up", _("Being followed up")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="incidents")
    visit = models.ForeignKey(
        VisitReport, on_delete=models.PROTECT, related_name="incidents", null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("when it happened"))
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    what_happened = models.TextField(_("what happened"))
    immediate_action = models.TextField(_("what was done at once"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    # the coordinator is told at once: the report waits on their home screen until seen
    acknowledged_at = models.DateTimeField(_("seen by the coordinator at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=20, choices=IncidentState.choices, default=IncidentState.REPORTED
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closure_summary = models.TextField(_("how it was resolved"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["agency", "state", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class IncidentStep(models.Model):
    """A follow-up step of an incident (S8)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    taken_on = models.DateField(_("date"))
    what = models.TextField(_("what was done"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "pk"]
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")

    def __str__(self) -> str:
        return f"{self.taken_on} {self.what[:20]}"


# --- found cases (rule S7) ------------------------------------------------------------------


class FoundCaseState(models.TextChoices):
    NEW = "new", _("New")
    INTAKE_OPENED = "intake_opened", _("Intake opened")
    NO_ACTION = "no_action", _("No action for now")


class FoundCase(models.Model):
    """Rule S7: a hidden case a supporter found, reported to the municipality, which decides."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("reported to"),
        on_delete=models.PROTECT,
        related_name="found_cases",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, related_name="found_cases", null=True, blank=True
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    where = models.CharField(_("where (area or address as known)"), max_length=200)
    description = models.TextField(_("what the supporter noticed"))
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    urgent = models.BooleanField(_("seems urgent (life, health, no food)"), default=False)
    state = models.CharField(
        _("state"), max_length=20, choices=FoundCaseState.choices, default=FoundCaseState.NEW
    )
    case = models.ForeignKey(
        "people.Case", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision_note = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("found case")
        verbose_name_plural = _("found cases")
        indexes = [models.Index(fields=["agency", "state", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.where} {self.reported_at:%Y-%m-%d}"
