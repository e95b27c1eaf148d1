"""The Django admin inside the same scope as the app.

Every model admin of the apps is a `ScopedAdmin` (its inlines `ScopedInline`): a kabupaten
admin lists, opens, changes, deletes and runs actions only on the rows she sees in the app,
picks foreign keys only among those, and gets 404 for anything else, as the app answers.
Who may use the admin is decided by role (`groups.access.can_use_admin`), not by Django's
per-model permission table, so no forgotten checkbox opens it wider. National reference data
(`national = True`) is the same for every kabupaten: view-only except for a superuser, who
sees and does everything.

The rule of which groups a user sees lives one app up (cadres.access), so the admins that
need it, for groups, users and form tokens among them, are registered in cadres/admin.py.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, ModelChoiceField
from django.http import Http404

from groups.access import can_use_admin
from groups.models import Area, Office


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id box that names the chosen row only in scope: a typed id of another kabupaten stays a number."""

    def __init__(self, rel, admin_site, *, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            in_scope = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            in_scope = False
        return super().label_and_url_for_value(value) if in_scope else ("", "")


class _ByRoleInScope:
    """What ScopedAdmin and ScopedInline share: permissions by role, choices in scope."""

    # Reference data of the whole country (the KKA instrument, topics): only a superuser changes it.
    national = False

    def _may_write(self, request) -> bool:
        return can_use_admin(request.user) and (request.user.is_superuser or not self.national)

    def has_module_permission(self, request):
        return can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return can_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request)

    def get_field_queryset(self, db, db_field, request):
        """Foreign-key and many-to-many choices are the rows the related model's admin shows this user.

        Raw id and autocomplete fields validate against the same queryset, so an id typed from
        another kabupaten is a form error, not a save.
        """
        queryset = super().get_field_queryset(db, db_field, request)
        if request.user.is_superuser:
            return queryset
        related = self.admin_site._registry.get(db_field.remote_field.model)
        if not isinstance(related, ScopedAdmin):
            # Django's own tables (permissions, auth groups): not the kabupaten admin's to hand out.
            return db_field.remote_field.model._default_manager.using(db).none()
        return related.get_queryset(request).using(db)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and type(field.widget) is ForeignKeyRawIdWidget and not request.user.is_superuser:
            field.widget = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, queryset=field.queryset, using=kwargs.get("using")
            )
        return field


class ScopedAdmin(_ByRoleInScope, admin.ModelAdmin):
    """A model admin that shows a non-superuser only her scope, and answers 404 outside it."""

    def scope(self, request, queryset):
        """The rows of `queryset` that `request.user` sees in the app. Each admin says which: nothing by default."""
        return queryset if self.national else queryset.none()

    def get_queryset(self, request):
        # Lists, object pages, actions, list_editable and the choices of other admins' forms all start here.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not can_use_admin(request.user):
            return queryset.none()
        return self.scope(request, queryset)

    def get_list_filter(self, request):
        # A foreign-key filter names every row of the related table; below a superuser it offers
        # only the rows this (scoped) list refers to.
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation
            else item
            for item in filters
        ]

    def get_object(self, request, object_id, from_field=None):
        # Django redirects to the index saying the object "doesn't exist"; the app answers 404,
        # which confirms nothing about another kabupaten's rows.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


class ScopedInlineFormSet(BaseInlineFormSet):
    """Each row's hidden id names a row of this parent: Django checks it against the whole table."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self._pk_field.name)
        if isinstance(field, ModelChoiceField):
            field.queryset = self.get_queryset()


class ScopedInline(_ByRoleInScope):
    """For inlines (mixed into TabularInline/StackedInline): their rows hang from a scoped parent."""

    formset = ScopedInlineFormSet

    def get_queryset(self, request):
        # A scoped parent can have rows elsewhere (a cadre's roles in another kabupaten): the inline
        # shows, and its formset edits or deletes, only the rows its model's own admin shows her.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        own = self.admin_site._registry.get(self.model)
        return queryset.filter(pk__in=own.get_queryset(request).values("pk")) if own else queryset.none()


class KeptReadOnly:
    """Kept figures are written only by their refresh (reports.kept): the admin may look, not edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ["name", "level", "parent", "code"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]

    def scope(self, request, queryset):
        return queryset.visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "parent" in form.base_fields:
            # Only a provinsi has no parent, and a new one would lie outside her kabupaten.
            form.base_fields["parent"].required = True
        return form


@admin.register(Office)
class OfficeAdmin(ScopedAdmin):
    list_display = ["name", "kabupaten", "signer_name", "signer_title"]
    search_fields = ["name", "kabupaten__name", "signer_name"]
    list_select_related = ["kabupaten"]

    def scope(self, request, queryset):
        return queryset.filter(kabupaten__in=Area.objects.visible_to(request.user))
