"""Full-text search index on PostgreSQL; other databases search without it."""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS article_search_idx ON articles_article USING gin ("
    "to_tsvector('english'::regconfig, "
    "coalesce(articles_article.title, '') || ' ' || coalesce(articles_article.body, '')))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_idx")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
