from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0004: PostgreSQL cannot build an index on a table with row
    # updates (0004's data fill) still pending in the same transaction.

    dependencies = [
        ("cadres", "0004_role_start_and_end_dates"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='cadrerole',
            constraint=models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True)), fields=('cadre', 'group', 'role', 'age_group'), name='cadre_role_unique_open', nulls_distinct=False),
        ),
        migrations.AddConstraint(
            model_name='cadrerole',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='cadre_role_ends_after_start'),
        ),
    ]
