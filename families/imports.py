"""A group's families and children imported from a spreadsheet (families.spreadsheet's columns).

Every family in the file goes through the registration form itself
(FamilyForm with its ChildFormSet), so the import refuses exactly what the
form refuses, with the same words, placed at the file's row and column. On
top of the form: numbers given twice in the file, a family's columns that
disagree between its rows, and NIK/KK cells Excel has turned into numbers.

Rows belong to one family by the KK number, else the mother's NIK, else
the family's other columns; a row with only the mother's name under her
previous row is that family's next child. A family of the file is the
group's family with the same KK, else mother's NIK, else the one family of
the group with that mother's name. Children match by NIK, else name and
birth date, else a name alone in the family. A blank KK or NIK cell keeps
the number on record; children missing from the file are left as they are.

Nothing is written until the whole file is valid and the person confirms;
then all of it is written in one transaction (`apply`). A family or child
whose values are those on record is not written at all, so importing the
same file twice changes nothing.
"""

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from bkb.lib import sheets
from bkb.lib.inputs import DayField, search_key
from bkb.lib.sheets import Problem
from bkb.lib.validators import number_as_typed
from families import services
from families.forms import ChildFormSet, FamilyForm
from families.models import Child, Family
from families.spreadsheet import CHILD_FIELDS, FAMILY_FIELDS, FIELDS, NUMBER_FIELDS, Field, confirm_column, header_key
from groups import changes
from groups.models import BkbGroup

PREFIX = "children"
_YES = {"ya", "y", "yes", "true", "1", "benar", "iya"}
_NO = {"tidak", "t", "no", "n", "false", "0", "bukan", "tdk"}
# Sex as the Posyandu books write it.
_SEX_LETTERS = {"l": "M", "lk": "M", "p": "F", "pr": "F"}


@dataclass
class FileRow:
    number: int
    values: dict  # form field name -> form value
    present: set  # the family fields this row fills


@dataclass
class FamilyPlan:
    rows: list[FileRow]
    existing: Family | None = None
    form: FamilyForm | None = None
    children: object = None  # the ChildFormSet
    child_rows: dict = field(default_factory=dict)  # form index -> file row number
    outcome: str = ""  # "new", "changed", "same"
    changed: list[str] = field(default_factory=list)  # headers of the family's changed columns
    new_children: int = 0
    changed_children: int = 0
    family_changed: bool = False
    # The days the kept figures change from: joining and birth dates before and after the write.
    days: list = field(default_factory=list)
    # The children to write: new ones, and those whose values differ from the record.
    to_save: list = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return self.rows[0].number

    @property
    def family_values(self) -> dict:
        """Each family column's value: the first row that fills it (later rows may leave it blank)."""
        found = {}
        for row in self.rows:
            for item in FAMILY_FIELDS:
                value = row.values.get(item.name)
                if item.name not in found and not _blank(value):
                    found[item.name] = value
        return found

    @property
    def mother_name(self) -> str:
        return self.rows[0].values.get("mother_name") or ""


@dataclass
class Plan:
    families: list[FamilyPlan]
    problems: list[Problem]
    ignored_columns: list[str]
    rows: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, outcome: str) -> int:
        return sum(1 for family in self.families if family.outcome == outcome)

    @property
    def new_children(self) -> int:
        return sum(family.new_children for family in self.families)

    @property
    def changed_children(self) -> int:
        return sum(family.changed_children for family in self.families)

    @property
    def nothing_to_do(self) -> bool:
        return self.ok and not any(family.outcome in ("new", "changed") for family in self.families)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "families_new": self.count("new"),
            "families_changed": self.count("changed"),
            "families_same": self.count("same"),
            "children_new": self.new_children,
            "children_changed": self.changed_children,
        }


def _headers() -> dict[str, str]:
    """{header as compared: form field name}: the Indonesian and English headers and the field names."""
    found = {}
    for language in ("id", "en"):
        with override(language):
            for item in FIELDS:
                found[header_key(item.header)] = item.name
            found[header_key(confirm_column().header)] = "confirm_not_duplicate"
    for item in FIELDS:
        found[header_key(item.name)] = item.name
    return found


@functools.cache
def _codes(name: str) -> dict[str, str]:
    """{label in either language, or the code, as compared: code} of a coded column (made once)."""
    item = next(item for item in FIELDS if item.name == name)
    found = {search_key(str(code)): code for code, _label in item.choices}
    for language in ("en", "id"):
        with override(language):
            found.update({search_key(str(label)): code for code, label in item.choices})
    if name == "sex":
        found.update(_SEX_LETTERS)
    return found


def _choice(item: Field, value) -> str:
    """A coded cell's value: its label in either language, or the code itself."""
    code = _codes(item.name).get(search_key(str(value)))
    if code is not None:
        return code
    raise ValueError(
        _("'%(value)s' tidak ada di daftar. Pilih salah satu: %(list)s.")
        % {
            "value": value,
            "list": ", ".join(item.labels),
        }
    )


def _boolean(value) -> bool | None:
    """Ya or Tidak; None for a blank cell (the record's value, or the form's default, stays)."""
    if isinstance(value, bool):
        return value
    text = search_key(str(value if value is not None else ""))
    if text == "":
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(_("Tulis Ya atau Tidak."))


def _form_value(item: Field, value):
    """A cell as the registration form takes it; ValueError with the message to show."""
    if item.kind == sheets.BOOL:
        return _boolean(value)
    if value is None or value == "":
        return None
    if item.name in NUMBER_FIELDS and isinstance(value, (int, float, Decimal)):
        # Excel keeps 15 significant digits: a 16-digit number cell has already lost its last one.
        raise ValueError(
            _(
                "Nomor ini tersimpan sebagai angka, dan Excel hanya menyimpan 15 digit: digit terakhirnya bisa "
                "sudah berubah. Format kolom sebagai Teks, lalu ketik ulang nomornya."
            )
        )
    if item.choices:
        return _choice(item, value)
    if item.kind == sheets.DATE:
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, (int, float)):
            raise ValueError(_("Tulis tanggal yang lengkap, misalnya 17-08-2025."))
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if item.name in ("phone", "whatsapp") and isinstance(value, int) and text.startswith("8"):
        text = "0" + text  # a number cell drops the leading zero of 0812...
    return text


def read_rows(table: sheets.Table) -> tuple[list[FileRow], list[Problem], list[str]]:
    """The file's rows as form values, the cells that could not be read, and the columns not ours."""
    by_header = _headers()
    columns = {}
    ignored = []
    problems = []
    for header in table.headers:
        name = by_header.get(header_key(header))
        if name and name in columns.values():
            # Which of the two holds her data is a guess: refuse rather than read the wrong one.
            problems.append(Problem(table.header_row, header, _("Kolom ini ada dua kali: hapus salah satu.")))
        elif name:
            columns[header] = name
        elif header:
            ignored.append(header)
    items = {item.name: item for item in FIELDS}
    found = set(columns.values())
    for item in FIELDS:
        if item.required and item.name not in found:
            problems.append(Problem(table.header_row, item.header, _("Kolom ini tidak ada di berkas.")))
    rows = []
    for number, cells in table.rows:
        values, present = {}, set()
        for header, name in columns.items():
            value = cells.get(header)
            item = items.get(name)
            try:
                if item is None:  # the confirmation column
                    values[name] = bool(_boolean(value))
                else:
                    values[name] = _form_value(item, value)
            except ValueError as error:
                problems.append(Problem(number, header_of(name), str(error), _shown(value)))
                values[name] = None
            if item is not None and item.of == "family" and not _blank(values[name]):
                present.add(name)
        rows.append(FileRow(number, values, present))
    return rows, problems, ignored


def _blank(value) -> bool:
    return value is None or value == ""


def _shown(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value)[:60]


def header_of(name: str) -> str:
    if name == "confirm_not_duplicate":
        return str(confirm_column().header)
    return next(item.header for item in FIELDS if item.name == name)


def _digits(text) -> str:
    """A NIK or KK as the form reads it (number_as_typed), "" for none."""
    return number_as_typed(str(text or "")) or ""


def _numbers_of(row: FileRow) -> list[tuple]:
    return [(name, _digits(row.values.get(name))) for name in ("kk_number", "mother_nik") if row.values.get(name)]


def _disagreeing(row: FileRow, first: FileRow) -> list[str]:
    """The family columns filled in both rows that say different things."""
    return [
        name
        for name in row.present
        if not _blank(first.values.get(name)) and _compare(row.values[name]) != _compare(first.values[name])
    ]


def group_rows(rows: list[FileRow]) -> tuple[list[FamilyPlan], list[Problem]]:
    """Rows into families, in file order; a family's columns that disagree between its rows are problems.

    A row belongs to the family whose KK or mother's NIK it repeats; a row without either to the
    latest family of the same mother's name whose columns it does not contradict (the usual
    "second child: the mother's name only, under her first"); otherwise it starts a family.
    """
    plans: list[FamilyPlan] = []
    by_number: dict[tuple, FamilyPlan] = {}
    problems = []
    for row in rows:
        numbers = _numbers_of(row)
        found = []
        for key in numbers:
            if key in by_number and by_number[key] not in found:
                found.append(by_number[key])
        if len(found) > 1:
            problems.append(
                Problem(
                    row.number,
                    header_of("mother_nik"),
                    _("No. KK di baris ini milik keluarga baris %(a)s, NIK ibunya milik keluarga baris %(b)s.")
                    % {"a": found[0].first_row, "b": found[1].first_row},
                )
            )
        plan = found[0] if found else None
        if plan is None and not numbers and row.values.get("mother_name"):
            name = search_key(row.values["mother_name"])
            plan = next(
                (
                    candidate
                    for candidate in reversed(plans)
                    if search_key(candidate.mother_name) == name and not _disagreeing(row, candidate.rows[0])
                ),
                None,
            )
        if plan is None:
            plan = FamilyPlan(rows=[])
            plans.append(plan)
        for key in numbers:
            by_number.setdefault(key, plan)
        if plan.rows:
            first = plan.rows[0]
            for name in _disagreeing(row, first):
                problems.append(
                    Problem(
                        row.number,
                        header_of(name),
                        _("Berbeda dengan baris %(row)s, padahal keluarganya sama: samakan isinya.")
                        % {"row": first.number},
                    )
                )
        plan.rows.append(row)
    return plans, problems


def _children_twice(plans: list[FamilyPlan]) -> list[Problem]:
    """The same child twice in a family of the file: same birth date, a similar name, not said to differ."""
    problems = []
    for plan in plans:
        seen: list[FileRow] = []
        for row in plan.rows:
            name, born = row.values.get("name"), row.values.get("birth_date")
            if not (name and born):
                continue
            twin = next(
                (
                    other
                    for other in seen
                    if _iso(other.values["birth_date"]) == _iso(born)
                    and services.similar_names(other.values["name"], name)
                ),
                None,
            )
            if twin is not None and not row.values.get("confirm_not_duplicate"):
                problems.append(
                    Problem(
                        row.number,
                        header_of("name"),
                        _(
                            "Anak ini sama dengan baris %(row)s (nama mirip, tanggal lahir sama). Hapus salah satu, "
                            "atau isi Ya di kolom '%(column)s' bila memang anak yang berbeda."
                        )
                        % {"row": twin.number, "column": confirm_column().header},
                        _shown(name),
                    )
                )
            seen.append(row)
    return problems


def _compare(value) -> str:
    return search_key(str(value)) if not isinstance(value, bool) else str(value)


def _numbers_twice(families: list[FamilyPlan]) -> list[Problem]:
    """A NIK or KK number given for two people (or two families) in the file."""
    seen: dict[str, tuple[int, str, object]] = {}
    problems = []

    def note(number, row: int, name: str, owner):
        number = _digits(number)
        if not number:
            return
        if number in seen and seen[number][2] != owner:
            first_row, first_column, _owner = seen[number]
            problems.append(
                Problem(
                    row,
                    header_of(name),
                    _("Nomor ini sudah ada di baris %(row)s (kolom %(column)s).")
                    % {"row": first_row, "column": first_column},
                )
            )
        else:
            seen.setdefault(number, (row, header_of(name), owner))

    for plan in families:
        for number_field in ("kk_number", "mother_nik"):
            for row in plan.rows:
                if row.values.get(number_field):
                    note(row.values[number_field], row.number, number_field, (id(plan), number_field))
        for row in plan.rows:
            if row.values.get("nik"):
                note(row.values["nik"], row.number, "nik", (id(plan), "nik", row.number))
    return problems


class Register:
    """The group's families on record, looked up by KK, mother's NIK and mother's name (read once)."""

    def __init__(self, group: BkbGroup):
        self.families = list(Family.objects.filter(group=group).prefetch_related("children").order_by("pk"))
        self.by_number = {
            (number_field, getattr(family, number_field)): family
            for family in self.families
            for number_field in ("kk_number", "mother_nik")
            if getattr(family, number_field)
        }
        self.by_name: dict[str, list[Family]] = {}
        for family in self.families:
            self.by_name.setdefault(search_key(family.mother_name), []).append(family)

    def match(self, plan: FamilyPlan) -> tuple[Family | None, str]:
        """The group's family this one is, or None; a message when the name alone cannot tell."""
        values = plan.family_values
        for number_field in ("kk_number", "mother_nik"):
            number = _digits(values.get(number_field))
            if number and (number_field, number) in self.by_number:
                return self.by_number[(number_field, number)], ""
        name = search_key(values.get("mother_name") or "")
        if not name:
            return None, ""
        # A family on record that the file contradicts (another number, another father, another
        # address and phone both) is another family of the same mother's name.
        same = [family for family in self.by_name.get(name, []) if not self._contradicts(family, values)]
        for narrower in ("father_name", "phone", "address"):
            if len(same) <= 1:
                break
            wanted = search_key(str(values.get(narrower) or ""))
            narrowed = [family for family in same if search_key(getattr(family, narrower)) == wanted]
            same = narrowed or same
        if len(same) > 1:
            return None, _(
                "Ada %(n)s keluarga dengan nama ibu ini di kelompok. Isi No. KK atau NIK ibu agar jelas keluarga "
                "yang mana."
            ) % {"n": len(same)}
        return (same[0] if same else None), ""

    @staticmethod
    def _contradicts(family: Family, values: dict) -> bool:
        def differs(name: str) -> bool:
            ours, theirs = getattr(family, name), values.get(name)
            return bool(ours) and not _blank(theirs) and _compare(ours) != _compare(theirs)

        return any(differs(name) for name in ("kk_number", "mother_nik", "father_name")) or (
            differs("address") and differs("phone")
        )


def _match_child(values: dict, children: list[Child], taken: set) -> Child | None:
    """The family's child this row is: by NIK; else by name and birth date; else a corrected
    spelling born the same day; else the one child of that name. Never one with another NIK."""
    nik = _digits(values.get("nik"))
    free = [child for child in children if child.pk not in taken and not (nik and child.nik and child.nik != nik)]
    if nik:
        for child in free:
            if child.nik == nik:
                return child
    if not values.get("name"):
        return None
    name = search_key(values["name"])
    born = _iso(values.get("birth_date") or "")
    named = [child for child in free if child.search_key == name]
    for child in named:
        if child.birth_date.isoformat() == born:
            return child
    same_day = [
        child
        for child in free
        if child.birth_date.isoformat() == born and services.similar_names(child.name, values["name"])
    ]
    if len(same_day) == 1:
        return same_day[0]
    return named[0] if len(named) == 1 else None


def _day(text: str) -> datetime.date | None:
    """A date cell as the form reads it; None when it cannot (the form then says why)."""
    try:
        return DayField().to_python(text)
    except ValidationError:
        return None


def _iso(text: str) -> str:
    day = _day(text)
    return day.isoformat() if day else text


def _on_record(form) -> dict:
    """The form's fields as the record holds them, to build on and to compare with."""
    return {name: form[name].value() for name in form.fields}


def _snapshot(instance, names) -> dict:
    return {name: getattr(instance, name) for name in names}


def _validate(plan: FamilyPlan, *, group: BkbGroup, user, known: services.Known) -> list[Problem]:
    """Put the family through the registration form; its errors at the file's rows and columns."""
    family = plan.existing or Family(group=group)
    first = plan.rows[0]
    blank_form = FamilyForm(instance=family, group=group, user=user)
    # What the record holds (for a new family, the form's defaults), then what the file fills in:
    # a blank cell changes nothing.
    data = _on_record(blank_form)
    data.update({name: value for name, value in plan.family_values.items() if name in blank_form.fields})
    data = {key: value for key, value in data.items() if value is not None}
    family_fields = list(blank_form.fields)
    before = _snapshot(family, family_fields)

    existing_children = sorted(family.children.all(), key=lambda child: child.pk) if plan.existing else []
    child_rows = [row for row in plan.rows if any(not _blank(row.values.get(item.name)) for item in CHILD_FIELDS)]
    matched: dict[int, FileRow] = {}
    taken: set = set()
    new_rows = []
    for row in child_rows:
        child = _match_child(row.values, existing_children, taken)
        if child is None:
            new_rows.append(row)
        else:
            taken.add(child.pk)
            matched[child.pk] = row
    child_names = [item.name for item in CHILD_FIELDS] + ["confirm_not_duplicate"]
    index = 0
    children_before = {}
    for child in existing_children:
        row = matched.get(child.pk)
        data[f"{PREFIX}-{index}-id"] = child.pk
        for item in CHILD_FIELDS:
            value = getattr(child, item.name)
            if row is not None and not _blank(row.values.get(item.name)):
                value = row.values[item.name]
            data[f"{PREFIX}-{index}-{item.name}"] = "" if value is None else value
        if row is not None:
            data[f"{PREFIX}-{index}-confirm_not_duplicate"] = bool(row.values.get("confirm_not_duplicate"))
            plan.child_rows[index] = row.number
        children_before[index] = _snapshot(child, [item.name for item in CHILD_FIELDS])
        index += 1
    initial = index
    for row in new_rows:
        for name in child_names:
            value = row.values.get(name)
            data[f"{PREFIX}-{index}-{name}"] = "" if value is None else value
        plan.child_rows[index] = row.number
        index += 1
    data.update(
        {
            f"{PREFIX}-TOTAL_FORMS": index,
            f"{PREFIX}-INITIAL_FORMS": initial,
            f"{PREFIX}-MIN_NUM_FORMS": 0,
            f"{PREFIX}-MAX_NUM_FORMS": 1000,
        }
    )

    plan.form = FamilyForm(data, instance=family, group=group, user=user, known=known)
    plan.children = ChildFormSet(data, instance=family, group=group, user=user, prefix=PREFIX, known=known)
    form_ok = plan.form.is_valid()
    children_ok = plan.children.is_valid()
    problems = []
    for name, errors in plan.form.errors.items():
        column = header_of(name) if name in {item.name for item in FAMILY_FIELDS} else "-"
        problems += [Problem(first.number, column, str(message), _shown(data.get(name))) for message in errors]
    for index, child_form in enumerate(plan.children.forms):
        row = plan.child_rows.get(index, first.number)
        for name, errors in child_form.errors.items():
            column = header_of(name) if name in child_names else "-"
            value = _shown(data.get(f"{PREFIX}-{index}-{name}"))
            for message in errors:
                problems.append(Problem(row, column, _spreadsheet_words(str(message)), value))
    for message in plan.children.non_form_errors():
        problems.append(Problem(first.number, header_of("name"), str(message)))
    if not (form_ok and children_ok) or problems:
        return problems

    changed = [name for name in family_fields if getattr(plan.form.instance, name) != before[name]]
    plan.changed = [header_of(name) for name in changed if name in {item.name for item in FAMILY_FIELDS}]
    forms = plan.children.forms
    edited = [
        forms[index].instance
        for index, snapshot in children_before.items()
        if any(getattr(forms[index].instance, name) != value for name, value in snapshot.items())
    ]
    plan.new_children = len(new_rows)
    plan.changed_children = len(edited)
    plan.to_save = [form.instance for form in forms[initial:]] + edited
    plan.days = (
        [before.get("joined_on"), plan.form.instance.joined_on]
        + [
            day
            for index, snapshot in children_before.items()
            if forms[index].instance in edited
            for day in (snapshot["birth_date"], forms[index].instance.birth_date)
        ]
        + [form.instance.birth_date for form in forms[initial:]]
    )
    if plan.existing is None:
        plan.outcome = "new"
    elif changed or plan.new_children or plan.changed_children:
        plan.outcome = "changed"
    else:
        plan.outcome = "same"
    plan.family_changed = bool(changed) or plan.existing is None
    return problems


def _spreadsheet_words(message: str) -> str:
    """The form's "tick the box below" said as the spreadsheet's column."""
    tick = _("Centang konfirmasi di bawah bila memang anak yang berbeda.")
    if tick in message:
        return message.replace(
            tick,
            _("Isi Ya di kolom '%(column)s' bila memang anak yang berbeda.") % {"column": confirm_column().header},
        )
    return message


def plan(group: BkbGroup, user, table: sheets.Table) -> Plan:
    """Read and check the whole file against the group's register; nothing is written."""
    rows, problems, ignored = read_rows(table)
    families, disagreements = group_rows(rows)
    problems += disagreements + _numbers_twice(families) + _children_twice(families)
    on_record = Register(group)
    for family_plan in families:
        existing, message = on_record.match(family_plan)
        if message:
            problems.append(Problem(family_plan.first_row, header_of("mother_name"), message))
            continue
        family_plan.existing = existing
    claimed: dict[int, FamilyPlan] = {}
    for family_plan in families:
        if family_plan.existing is None:
            continue
        if family_plan.existing.pk in claimed:
            problems.append(
                Problem(
                    family_plan.first_row,
                    header_of("mother_name"),
                    _("Keluarga ini sama dengan baris %(row)s: gabungkan barisnya atau isi No. KK.")
                    % {"row": claimed[family_plan.existing.pk].first_row},
                )
            )
            family_plan.existing = None
            continue
        claimed[family_plan.existing.pk] = family_plan
    known = _known(families, group)
    seen = {(problem.row, problem.column) for problem in problems}
    for family_plan in families:
        for problem in _validate(family_plan, group=group, user=user, known=known):
            # A cell already said to be wrong (unreadable, or twice in the file) is not said twice.
            if (problem.row, problem.column) not in seen:
                problems.append(problem)
                seen.add((problem.row, problem.column))
    problems.sort(key=lambda problem: (problem.row, problem.column))
    return Plan(families, problems, ignored, len(rows))


def _known(families: list[FamilyPlan], group: BkbGroup) -> services.Known:
    """The register's rows the whole file meets, read at once: its numbers' holders, and the
    children born on its children's birth dates to mothers of its mothers' names."""
    numbers, births = set(), set()
    for family_plan in families:
        mother = family_plan.mother_name
        for row in family_plan.rows:
            numbers.update(_digits(row.values.get(name)) for name in NUMBER_FIELDS)
            born = _day(row.values.get("birth_date") or "")
            if mother and born:
                births.add((born, mother))
    return services.known_for(numbers=numbers, births=births, kabupaten=group.kabupaten)


class Refused(Exception):
    """The file is not valid (any more): nothing was written."""

    def __init__(self, plan: Plan, message: str = ""):
        super().__init__(message)
        self.plan = plan
        self.message = message


def apply(group: BkbGroup, user, table: sheets.Table) -> Plan:
    """Check the file again and write it: every family and child, or nothing (Refused)."""
    with transaction.atomic():
        # One import of a group at a time: a second confirm waits and then finds the rows on record.
        BkbGroup.objects.select_for_update().filter(pk=group.pk).first()
        checked = plan(group, user, table)
        if not checked.ok:
            raise Refused(checked)
        writing = [family_plan for family_plan in checked.families if family_plan.outcome in ("new", "changed")]
        days = [day for family_plan in writing for day in family_plan.days if day]
        try:
            # Said once for the whole file, not by every row's save (two queries each).
            with changes.told({group.pk} if writing else set(), min(days, default=None)):
                for family_plan in writing:
                    services.family_save_with_children(
                        family=family_plan.form.save(commit=False),
                        children=family_plan.to_save,
                        family_changed=family_plan.family_changed,
                    )
        except services.NumberTaken:
            raise Refused(checked, _("Nomor NIK atau KK di berkas ini baru saja didaftarkan di tempat lain.")) from None
    return checked
