"""Who may see and do what: the scope of every group-based query and the role rules.

This is the first app that knows people's roles, so the one rule for which groups
a user sees lives here; every app above filters through `groups_visible_to`.
Out of scope answers 404 (not 403), so a URL never confirms that someone else's
record exists; in scope but not allowed answers 403.
"""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from cadres.models import Cadre, CadreRole
from groups.access import can_write_registers, require
from groups.models import Area, BkbGroup, User, under_any

__all__ = [
    "cadres_visible_to",
    "can_keep_group_books",
    "can_write_registers",
    "get_cadre_for",
    "get_group_for",
    "groups_visible_to",
    "is_chair",
    "require",
    "users_visible_to",
]


def groups_visible_to(user, queryset=None):
    """The one rule for which groups a user may see.

    Admins see their kabupaten (a superuser everything; an admin without areas nothing);
    supervisors the groups under their assigned areas; cadres the groups
    they hold an active role in. Everyone else sees nothing.
    """
    groups = BkbGroup.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return groups.none()
    if user.is_superuser:
        return groups
    if user.role == User.Role.CADRE:
        return groups.filter(
            pk__in=CadreRole.objects.current().filter(cadre__user=user, cadre__active=True).values("group_id")
        )
    paths = list(user.areas.values_list("path", flat=True))
    return groups.filter(under_any("desa__path", paths)) if paths else groups.none()


def get_group_for(user, pk, *, write: bool = False) -> BkbGroup:
    group = get_object_or_404(groups_visible_to(user).select_related("desa__parent"), pk=pk)
    if write:
        require(can_write_registers(user))
    return group


def is_chair(user, group: BkbGroup) -> bool:
    """The group's active *ketua*: keeps the cadre register and submits the monthly report."""
    return (
        CadreRole.objects.current()
        .filter(group=group, role=CadreRole.Role.KETUA, cadre__user=user, cadre__active=True)
        .exists()
    )


def can_keep_group_books(user, group: BkbGroup) -> bool:
    """The chair's books: the cadre register and the monthly report (or an admin, for them)."""
    return user.is_bkb_admin or is_chair(user, group)


def cadres_visible_to(user):
    """Cadres who hold or held a role in a group the user sees."""
    return Cadre.objects.filter(
        Exists(CadreRole.objects.filter(cadre=OuterRef("pk"), group__in=groups_visible_to(user)))
    )


def get_cadre_for(user, pk) -> Cadre:
    return get_object_or_404(cadres_visible_to(user), pk=pk)


def users_visible_to(user):
    """The people a user may manage (in the Django admin): those who work only inside her areas, and her groups' cadres.

    A supervisor or admin counts as inside when every area she is assigned lies under the viewer's
    (one area elsewhere and she belongs to another kabupaten too); a cadre account by its current
    roles. A superuser is visible to superusers only.
    """
    if user.is_authenticated and user.is_active and user.is_superuser:
        return User.objects.all()
    areas = Area.objects.visible_to(user)
    assigned = User.areas.through.objects.filter(user=OuterRef("pk"))
    inside = Exists(assigned.filter(area__in=areas)) & ~Exists(assigned.exclude(area__in=areas))
    # A cadre's account by her current roles: all of them in the viewer's groups. A past role is
    # not enough (she may serve in another kabupaten now, whose admin answers for her account).
    groups = groups_visible_to(user)
    current = CadreRole.objects.current().filter(cadre__user=OuterRef("pk"))
    cadre = (
        Q(role=User.Role.CADRE) & Exists(current.filter(group__in=groups)) & ~Exists(current.exclude(group__in=groups))
    )
    return User.objects.filter(inside | cadre, is_superuser=False)
