"""Every stored field is declared in the personal-data registry, so none escapes export/erasure."""

from tortoise import Tortoise, fields
from tortoise.models import Model

from models.personal_data import REGISTRY, undeclared_fields


class Throwaway(Model):
    id = fields.IntField(primary_key=True)
    secret_diary = fields.TextField()
    favourite_colour = fields.JSONField(null=True)

    class Meta:
        app = "throwaway"
        abstract = False


async def test_every_model_field_is_declared(database):
    models = list(Tortoise.apps["models"].values())
    assert models, "no models loaded"
    assert undeclared_fields(models) == []


async def test_the_registry_names_only_real_fields(database):
    models = {m.__name__: m for m in Tortoise.apps["models"].values()}
    for model_name, declared in REGISTRY.items():
        assert model_name in models, f"registry names unknown model {model_name}"
        stored = set(models[model_name]._meta.fields_map)
        assert set(declared) <= stored, f"{model_name}: {set(declared) - stored}"


def test_an_undeclared_personal_field_is_caught():
    assert undeclared_fields([Throwaway]) == [
        "Throwaway.secret_diary",
        "Throwaway.favourite_colour",
    ]
