"""Demo data: one kabupaten a newcomer can click through.

Deterministic (a fixed random seed) and idempotent: a second run finds the
demo kabupaten and changes nothing.
"""

import datetime
import random

from django.db import transaction

from cadres.models import Cadre, CadreRole, Training
from families.ages import add_months
from families.models import Child, Family
from groups.models import Area, BkbGroup, User

DEMO_PASSWORD = "bkb-demo"
DEMO_KABUPATEN = "Kabupaten Sumedang"

MOTHERS = [
    "Siti Nurhaliza",
    "Dewi Lestari",
    "Rina Marlina",
    "Euis Komariah",
    "Neneng Hasanah",
    "Yuli Yuliani",
    "Ai Rohimah",
    "Iis Sumiati",
    "Tati Suryati",
    "Lilis Suryani",
    "Imas Masitoh",
    "Nining Kurniasih",
    "Wiwin Winarti",
    "Enok Sumarni",
    "Cucu Cahyati",
    "Popon Rosmiati",
    "Dede Rostika",
    "Nia Kurniawati",
    "Rani Apriani",
    "Sri Mulyani",
    "Eti Rohaeti",
    "Heni Handayani",
    "Yeni Nuraeni",
    "Mamah Maryamah",
    "Elis Nurlaela",
    "Teti Sutiawati",
    "Ratna Sari",
    "Fitri Rahmawati",
    "Nurul Aini",
    "Ani Suryani",
]
FATHERS = [
    "Asep Saepudin",
    "Ujang Supriatna",
    "Dadang Hermawan",
    "Cecep Rahmat",
    "Agus Setiawan",
    "Dedi Kusnadi",
    "Yayan Sopyan",
    "Iwan Ridwan",
    "Ade Sunarya",
    "Hendra Gunawan",
    "Budi Santoso",
    "Rudi Hartono",
    "Encep Sutisna",
    "Jajang Nurjaman",
    "Nandang Sudrajat",
    "Oman Abdurahman",
    "Eko Prasetyo",
    "Wawan Kurnia",
]
CHILDREN_F = [
    "Aisyah",
    "Zahra",
    "Nabila",
    "Keisha",
    "Salsabila",
    "Alya",
    "Naura",
    "Syifa",
    "Citra",
    "Khansa",
    "Rahma",
    "Fatimah",
    "Putri",
    "Nayla",
    "Aulia",
    "Kirana",
    "Dinda",
    "Shafa",
    "Rania",
    "Anindya",
]
CHILDREN_M = [
    "Muhammad Rizki",
    "Fajar",
    "Raka",
    "Dimas",
    "Arkan",
    "Rafi",
    "Bima",
    "Ilham",
    "Daffa",
    "Gilang",
    "Hafiz",
    "Zaki",
    "Naufal",
    "Azka",
    "Yusuf",
    "Reza",
    "Rangga",
    "Satria",
    "Farhan",
    "Akbar",
]
CADRES = [
    "Imas Sumiati",
    "Oom Komariah",
    "Entin Kartini",
    "Nunung Nurjanah",
    "Ela Nurlela",
    "Titin Supriatin",
    "Yati Suryati",
    "Dedeh Kurniasih",
    "Omah Rohimah",
    "Ineu Maryani",
    "Eni Haryani",
    "Atikah Rahmah",
    "Ros Rosita",
    "Uum Umiyati",
    "Leni Marlina",
    "Emay Maesaroh",
    "Cicih Sukaesih",
    "Aan Anisah",
    "Rohayati",
    "Sumarni",
    "Kokom Komalasari",
    "Nani Rohani",
    "Yoyoh Rokayah",
    "Wati Sumiati",
]

LAYOUT = {
    "Kecamatan Jatinangor": {
        "Desa Cikeruh": ["BKB Melati", "BKB Mawar"],
        "Desa Hegarmanah": ["BKB Anggrek", "BKB Kenanga"],
    },
    "Kecamatan Tanjungsari": {"Desa Gudang": ["BKB Dahlia"], "Desa Jatisari": ["BKB Flamboyan"]},
}


def _nik(rng: random.Random, born: datetime.date, female: bool) -> str:
    # 3211 = Sumedang's region code; the birth-date part follows the NIK rule
    # (women add 40 to the day). The serial keeps it unique.
    day = born.day + (40 if female else 0)
    return f"3211{rng.randint(10, 26):02d}{day:02d}{born:%m%y}{rng.randint(1, 9999):04d}"


def seed_demo(*, today: datetime.date, stdout=None) -> bool:
    """Build the demo kabupaten; return False if it is already there."""
    if Area.objects.filter(name=DEMO_KABUPATEN, level=Area.Level.KABUPATEN).exists():
        return False
    with transaction.atomic():
        _build(random.Random(2026), today)
    return True


def _build(rng: random.Random, today: datetime.date) -> None:
    provinsi = Area.objects.create(name="Jawa Barat", level=Area.Level.PROVINSI, code="32")
    kabupaten = Area.objects.create(name=DEMO_KABUPATEN, level=Area.Level.KABUPATEN, parent=provinsi, code="3211")
    admin = User.objects.create_user(
        "admin",
        password=DEMO_PASSWORD,
        first_name="Admin",
        last_name="Dinas KB",
        role=User.Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )
    admin.areas.add(kabupaten)
    supervisor = User.objects.create_user(
        "pkb", password=DEMO_PASSWORD, first_name="Yanti", last_name="Rahayu", role=User.Role.SUPERVISOR
    )
    used_nik: set[str] = set()
    cadre_names = iter(CADRES)
    group_number = 0
    for kec_name, desas in LAYOUT.items():
        kecamatan = Area.objects.create(name=kec_name, level=Area.Level.KECAMATAN, parent=kabupaten)
        supervisor.areas.add(kecamatan)
        for desa_name, group_names in desas.items():
            desa = Area.objects.create(name=desa_name, level=Area.Level.DESA, parent=kecamatan)
            for group_name in group_names:
                group_number += 1
                group = BkbGroup.objects.create(
                    name=group_name,
                    desa=desa,
                    rw=f"{group_number + 1:02d}",
                    year_formed=rng.choice([2012, 2016, 2019, 2022]),
                    meeting_place=f"Posyandu {group_name.split()[-1]}",
                    meeting_day=rng.randint(0, 5),
                    stratum=rng.choice(list(BkbGroup.Stratum.values)),
                    integration=rng.choice(list(BkbGroup.Integration.values)),
                    has_ape_kit=rng.random() < 0.7,
                )
                _cadres(rng, group, group_number, cadre_names, today)
                _families(rng, group, today, used_nik)


def _cadres(rng, group, number, names, today):
    roles = [
        (CadreRole.Role.KETUA, None),
        (CadreRole.Role.INTI, 0),
        (CadreRole.Role.INTI, 2),
        (CadreRole.Role.PIKET, 1),
    ]
    for index, (role, age) in enumerate(roles):
        user = None
        if index == 0:
            user = User.objects.create_user(f"kader{number}", password=DEMO_PASSWORD, role=User.Role.CADRE)
        cadre = Cadre.objects.create(
            name=next(names),
            user=user,
            phone=f"0812{rng.randint(10000000, 99999999)}",
            education=rng.choice(["smp", "sma", "sma", "diploma"]),
            date_joined=add_months(today, -rng.choice([3, 8, 20, 40, 70, 100])),
        )
        if user:
            user.first_name = cadre.name.split()[0]
            user.save(update_fields=["first_name"])
        CadreRole.objects.create(cadre=cadre, group=group, role=role, age_group=age)
        if index == 0:
            CadreRole.objects.create(cadre=cadre, group=group, role=CadreRole.Role.INTI, age_group=4)
        if rng.random() < 0.6:
            Training.objects.create(
                cadre=cadre,
                kind=rng.choice(["dasar", "kka", "emas"]),
                date=add_months(today, -rng.randint(1, 30)),
                organiser="DPPKB Kab. Sumedang",
            )


def _families(rng, group, today, used_nik, count=25):
    for _index in range(count):
        mother = rng.choice(MOTHERS)
        born_mother = datetime.date(rng.randint(1988, 2002), rng.randint(1, 12), rng.randint(1, 28))
        nik = _nik(rng, born_mother, True)
        while nik in used_nik:
            nik = _nik(rng, born_mother, True)
        used_nik.add(nik)
        is_pus = rng.random() < 0.9
        family = Family.objects.create(
            group=group,
            mother_name=mother,
            mother_nik=nik if rng.random() < 0.8 else None,
            father_name=rng.choice(FATHERS),
            phone=f"08{rng.choice([12, 13, 21, 52, 57])}{rng.randint(10000000, 99999999)}",
            address=f"Kp. {rng.choice(['Cikuda', 'Sayang', 'Babakan', 'Cipacing', 'Ciawi'])}",
            rt=f"{rng.randint(1, 6):02d}",
            rw=group.rw,
            is_pus=is_pus,
            kb_method=rng.choice(["", "suntik", "suntik", "pil", "implan", "iud"]) if is_pus else "",
            welfare_stage=rng.choice(["pra_ks", "ks1", "ks1", "ks2", "ks3"]),
            is_pkh=rng.random() < 0.25,
            stunting_risk=rng.random() < 0.15,
            joined_on=add_months(today, -rng.randint(1, 24)),
        )
        for child_index in range(1 if rng.random() < 0.8 else 2):
            female = rng.random() < 0.5
            born = today - datetime.timedelta(days=rng.randint(20, 2150))
            if child_index == 1:
                born = today - datetime.timedelta(days=rng.randint(20, 700))
            Child.objects.create(
                family=family,
                name=f"{rng.choice(CHILDREN_F if female else CHILDREN_M)} {family.father_name.split()[-1]}",
                sex="F" if female else "M",
                birth_date=born,
                birth_weight_kg=round(rng.uniform(2.4, 3.9), 2),
                birth_length_cm=round(rng.uniform(46, 52), 1),
            )
