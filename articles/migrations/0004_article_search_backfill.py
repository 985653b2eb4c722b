"""Search vectors move to articles_articlesearch: GIN index, backfill, old expression index dropped (PostgreSQL)."""

from django.db import migrations

OLD_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS article_search_idx ON articles_article USING gin ("
    "to_tsvector('english'::regconfig, "
    "coalesce(articles_article.title, '') || ' ' || coalesce(articles_article.body, '')))"
)
# Kept literal (not imported from articles.services) so this migration does not change if the service does.
BACKFILL_SQL = (
    "INSERT INTO articles_articlesearch (article_id, vector, indexed_at) "
    "SELECT a.id, to_tsvector('english'::regconfig, coalesce(a.title, '') || ' ' || coalesce(a.body, '')), now() "
    "FROM articles_article a "
    "ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector, indexed_at = EXCLUDED.indexed_at"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BACKFILL_SQL)
    # The foreign-key checks of the backfilled rows are deferred triggers; CREATE INDEX refuses to run
    # while they are pending in the same transaction.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # Built after the backfill: one index build is cheaper than maintaining it row by row.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS article_search_vector_idx ON articles_articlesearch USING gin (vector)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS article_search_idx")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_INDEX_SQL)
    schema_editor.execute("DROP INDEX IF EXISTS article_search_vector_idx")


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_article_search")]

    operations = [migrations.RunPython(forwards, backwards)]
