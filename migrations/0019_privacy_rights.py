from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# Breaches recorded before regulators had their own deadlines were owed to the ICO (72 hours).
FILINGS = """
INSERT INTO breach_filings (breach_id, regulator, due_at, reported_at)
SELECT id, 'ICO', report_due_at, reported_at FROM breaches;
"""


async def owed_to_the_ico(apps, schema_editor):
    if schema_editor.DIALECT not in ("postgres", "sqlite"):
        raise NotImplementedError(schema_editor.DIALECT)
    await schema_editor.client.execute_script(FILINGS)


class Migration(migrations.Migration):
    dependencies = [('models', '0018_privacy_register')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BreachContact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('breach', fields.ForeignKeyField('models.Breach', source_field='breach_id', db_constraint=True, to_field='id', related_name='contacts', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(null=True, max_length=320)),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'breach_contacts', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BreachFiling',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('breach', fields.ForeignKeyField('models.Breach', source_field='breach_id', db_constraint=True, to_field='id', related_name='filings', on_delete=OnDelete.CASCADE)),
                ('regulator', fields.CharField(max_length=16)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'breach_filings', 'app': 'models', 'unique_together': (('breach', 'regulator'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Disclosure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.ForeignKeyField('models.User', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name='disclosures', on_delete=OnDelete.SET_NULL)),
                ('email', fields.CharField(null=True, max_length=320)),
                ('reason', fields.CharField(max_length=32)),
                ('recipient', fields.CharField(max_length=200)),
                ('legal_basis', fields.CharField(max_length=500)),
                ('data', fields.TextField(unique=False)),
                ('disclosed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('hold_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='recorded_disclosures', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'disclosures', 'app': 'models', 'indexes': [Index(fields=['subject_id', 'id']), Index(fields=['email', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Breach',
            name='approximate_records',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Breach',
            name='approximate_subjects',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Breach',
            name='data_categories',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Breach',
            name='likely_consequences',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Breach',
            name='measures',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='PrivacyRequest',
            name='correction',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.RunPython(owed_to_the_ico),
    ]
