"""Response bodies for a plan's content in every language, and what is left to translate."""

from enum import StrEnum

from pydantic import BaseModel, Field


class ItemKind(StrEnum):
    plan = "plan"
    objective = "objective"
    action = "action"
    measure = "measure"
    milestone = "milestone"


class ItemName(BaseModel):
    kind: ItemKind = Field(description="What the item is.")
    id: int = Field(description="Its id.")
    objective_code: str | None = Field(
        description="The code of the objective it is (or is under); null for the plan."
    )
    position: int | None = Field(description="Its position under its objective (null: plan).")
    label: str = Field(description="Its text in the default language, to say which it is.")


class TranslatedItem(ItemName):
    version: int = Field(description="Its version: send it as If-Match to change it.")
    fields: dict[str, dict[str, str]] = Field(
        description="Each translatable field's text by language (the default's from the record "
        "itself); a language without the field has no translation yet."
    )


class PlanLanguages(BaseModel):
    plan_id: int = Field(description="The plan.")
    plan_title: str = Field(description="Its title in the default language.")
    default_language: str = Field(description="The network's default language.")
    languages: list[str] = Field(description="The languages the network offers.")


class PlanTranslations(PlanLanguages):
    items: list[TranslatedItem] = Field(description="The plan, then each objective and its items.")


class MissingTranslation(ItemName):
    field: str = Field(description="The field without a translation.")
    language: str = Field(description="The language it is missing in.")
    text: str = Field(description="The field's text in the default language, to translate.")


class PlanMissingTranslations(PlanLanguages):
    missing_by_language: dict[str, int] = Field(
        description="How many texts each language other than the default still lacks (0: done)."
    )
    complete: bool = Field(description="True when every text is in every language offered.")
    items: list[MissingTranslation] = Field(description="Each text still to translate.")
