"""A group's month figures and an area recap as spreadsheets (issue 15).

The numbers are the pages' own: the month's figures are the live counts the
group's month page shows (kept.live_counts, as documents.group_report_data),
the recap's rows and totals are `area.recap`'s.
"""

import datetime

from django.utils.translation import gettext as _

from bkb.lib.months import Month
from bkb.lib.sheets import DECIMAL, INT, Column, Sheet
from groups.models import BkbGroup
from reports import figures, kept
from reports.area import RECAP_COUNTS, AreaRow, Recap
from reports.models import MonthlyReport


def month_figures(group: BkbGroup, month: Month) -> figures.MonthFigures:
    """The figures the group's month page shows: its live counts, whatever report stands."""
    found = kept.live_counts(BkbGroup.objects.filter(pk=group.pk), month).get(group.pk, {})
    return figures.MonthFigures(figures.frozen_counts({**figures.empty_counts(), **found}))


def _ratios(found: figures.MonthFigures) -> dict[str, figures.Ratio]:
    """The shares the page prints, by the key of their part."""
    shares = [
        found.trained_ratio,
        found.attendance_ratio,
        found.children_present_ratio,
        found.kka_checked_ratio,
        found.stunted_ratio,
        found.kb_ratio,
        *(row["present"] for row in found.age_rows()),
    ]
    return {share.part_key: share for share in shares}


def report_status(report: MonthlyReport | None) -> str:
    if report is None:
        return _("Status laporan: belum dikirim")
    return _("Status laporan: %(status)s (versi %(version)s)") % {
        "status": report.get_status_display(),
        "version": report.version,
    }


def month_sheet(
    group: BkbGroup,
    month: Month,
    found: figures.MonthFigures,
    *,
    report: MonthlyReport | None,
    counted_at: datetime.datetime | None,
) -> Sheet:
    ratios = _ratios(found)
    rows = []
    for key in figures.FIGURE_KEYS:
        share = ratios.get(key)
        rows.append(
            [
                key,
                figures.label(key),
                found[key],
                share.whole_key if share else None,
                share.whole if share else None,
                share.pct if share else None,
            ]
        )
    counted = counted_at.strftime("%Y-%m-%d %H:%M") if counted_at else "–"
    return Sheet(
        title=_("Angka %(month)s") % {"month": str(month)},
        columns=[
            Column("key", _("Kode"), width=28),
            Column("label", _("Indikator"), width=44),
            Column("count", _("Jumlah"), INT, width=10),
            Column("whole_key", _("Penyebut (kode)"), width=24),
            Column("whole", _("Penyebut"), INT, width=10),
            Column("pct", _("Persen"), DECIMAL, places=1, width=10),
        ],
        rows=rows,
        preamble=[
            f"{group.name} (RW {group.rw}), {group.desa.label}, {group.desa.parent.label}",
            f"{_('Periode')}: {month.label} ({month})",
            _("Angka dihitung langsung dari data terbaru pada %(when)s, seperti di halaman laporan.")
            % {"when": counted},
            report_status(report),
        ],
    )


def _source(row: AreaRow) -> str:
    if row.source == "report":
        if row.report.status == MonthlyReport.Status.VERIFIED:
            return _("laporan v%(v)s terverifikasi") % {"v": row.report.version}
        return _("laporan v%(v)s terkirim") % {"v": row.report.version}
    return _("langsung (laporan dikembalikan)") if row.report else _("langsung (belum dikirim)")


def _count_columns() -> list[Column]:
    return [Column(key, figures.label(key), INT, width=12) for key in RECAP_COUNTS]


def _counts(found: figures.MonthFigures) -> list[int]:
    return [found[key] for key in RECAP_COUNTS]


def recap_sheet(recap: Recap) -> Sheet:
    """The recap page's table: a row per group (per kecamatan above kecamatan level), then the totals."""
    if recap.by_kecamatan:
        columns = [
            Column("kecamatan", _("Kecamatan"), width=24),
            Column("kabupaten", _("Kabupaten/Kota"), width=24),
            Column("groups", _("Kelompok"), INT, width=10),
            Column("reported", _("Laporan"), INT, width=10),
            Column("live", _("Langsung"), INT, width=10),
            *_count_columns(),
        ]
        rows = [
            [row.area.label, row.area.parent.label, row.groups, row.reported, row.live, *_counts(row.figures)]
            for row in recap.kecamatans
        ]
        reported = sum(row.reported for row in recap.kecamatans)
        rows.append([_("Jumlah"), None, recap.groups, reported, recap.groups - reported, *_counts(recap.totals)])
    else:
        columns = [
            Column("group", _("Kelompok"), width=24),
            Column("desa", _("Desa"), width=20),
            Column("source", _("Sumber"), width=28),
            *_count_columns(),
        ]
        rows = [[row.group.name, row.group.desa.name, _source(row), *_counts(row.figures)] for row in recap.rows]
        rows.append(
            [_("Jumlah") + f" ({len(recap.rows)} {_('kelompok')})", None, None, *_counts(recap.totals)],
        )
    computed = recap.freshness.computed_at
    preamble = [
        f"{_('Rekap bulanan')} {recap.area.label}, {recap.month.label} ({recap.month})",
        _("Angka dihitung pada %(when)s atau sesudahnya.")
        % {"when": computed.strftime("%Y-%m-%d %H:%M") if computed else "–"},
        _("Kader pada baris jumlah dihitung sekali per orang, bukan jumlah baris."),
    ]
    if recap.freshness.stale:
        preamble.append(
            _("Kelompok yang menunggu dihitung ulang: %(n)s dari %(total)s; angkanya belum memuat perubahan terakhir.")
            % {"n": recap.freshness.stale, "total": recap.groups}
        )
    return Sheet(
        title=_("Rekap %(month)s") % {"month": str(recap.month)}, columns=columns, rows=rows, preamble=preamble
    )
