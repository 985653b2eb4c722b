"""The tag set a new install starts with; editors can rename, recolour or retire any of them."""

from django.db import migrations

DEFAULT_TAGS = [
    ("Claim", "#f5c542", "1", "claim", "A statement presented as fact that can be checked."),
    ("Number/Statistic", "#5fb3f9", "2", "number", "A figure, amount, percentage or count."),
    ("Quote", "#b99cf0", "3", "quote", "Words attributed to a person or body."),
    ("Source attribution", "#7ed6a5", "4", "source", "Who the information is said to come from."),
    ("Named person", "#f59fb0", "5", "person", "A person named in the text."),
    ("Date/Time", "#f7a35c", "6", "date", "A date, time or period."),
    ("Opinion", "#c0c6d0", "7", "opinion", "A judgement or view rather than a fact."),
]


def create_tags(apps, schema_editor):
    Tag = apps.get_model("annotations", "Tag")
    for position, (name, colour, hotkey, kind, description) in enumerate(DEFAULT_TAGS):
        Tag.objects.get_or_create(
            name=name,
            defaults={
                "colour": colour,
                "hotkey": hotkey,
                "kind": kind,
                "description": description,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]

    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
