"""What a cadre's phone keeps for a month without signal.

The working set is the group's pages that a cadre's month goes through: the
roster, each member family and child, the forms that record an entry (KKA
check, measurement, session, home visit, new family) and the unsent page.
The same list of page names gives the service worker the paths it may keep
(`offline_paths`), so a page is either in both or in neither.
"""

import datetime
import re

from django.urls import reverse

from bkb.lib.months import Month
from families.models import Child, Family
from groups.models import BkbGroup
from sessions.models import CoachingSession

# Pages per group, per family and per child: (URL name, query string or None).
GROUP_PAGES = [
    ("groups:detail", None),
    ("sessions:roster", None),
    ("sessions:list", None),
    ("sessions:create", None),
    ("sessions:home_visits", None),
    ("families:create", None),
]
FAMILY_PAGES = [("families:detail", None), ("sessions:home_visit_create", "bulan")]
CHILD_PAGES = [("families:child_detail", None), ("sessions:child_kka", None), ("families:measurement_add", None)]
# This month's sessions already logged: their edit form (a second session the same month is rare).
SESSION_PAGES = [("sessions:detail", None), ("sessions:edit", None)]
# Not tied to a group: where unsent entries are fixed, and the page shown for anything not kept.
SHARED_PAGES = ["offline_unsent", "offline_fallback"]

_SENTINEL = 987654321


def working_set(group: BkbGroup, *, today: datetime.date) -> list[str]:
    """Every URL of the group's working set on `today`, in a fixed order; three queries."""
    month = Month.of(today)
    urls = [reverse(name, args=[group.pk]) for name, _query in GROUP_PAGES]
    families = Family.objects.filter(group=group).members_on(today).order_by("pk").values_list("pk", flat=True)
    for family_id in families:
        for name, query in FAMILY_PAGES:
            url = reverse(name, args=[family_id])
            urls.append(f"{url}?{query}={month}" if query else url)
    children = (
        Child.objects.filter(family__group=group).in_programme_on(today).order_by("pk").values_list("pk", flat=True)
    )
    urls += [reverse(name, args=[child_id]) for child_id in children for name, _query in CHILD_PAGES]
    sessions = (
        CoachingSession.objects.filter(group=group, date__gte=month.first, date__lte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    urls += [reverse(name, args=[session_id]) for session_id in sessions for name, _query in SESSION_PAGES]
    return urls + [reverse(name) for name in SHARED_PAGES]


def kind_of(url: str) -> str:
    """The page's kind: its path with the ids taken out ("/anak/0/kka/")."""
    return re.sub(r"\d+", "0", url.split("?")[0])


def offline_paths() -> list[str]:
    """Regular expressions (JavaScript syntax) of the paths the service worker may keep."""
    names = [name for pages in (GROUP_PAGES, FAMILY_PAGES, CHILD_PAGES, SESSION_PAGES) for name, _q in pages]
    paths = [re.escape(reverse(name, args=[_SENTINEL])).replace(str(_SENTINEL), r"\d+") for name in names]
    paths += [re.escape(reverse(name)) for name in SHARED_PAGES]
    return [f"^{path}$" for path in paths]
