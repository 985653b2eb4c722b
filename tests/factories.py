"""factory_boy factories for every model the tests create."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations.models import Annotation, Tag
from articles.models import Article, Source

PARAGRAPHS = [
    "The harbour authority said on Tuesday that 11,000 residents had been moved away from the river.",
    "“We acted early,” said Mara Quell, the authority's spokesperson, adding that the dam held overnight.",
    "Engineers will inspect the spillway in July or August 2026, according to a council statement.",
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Outlet {n}")
    url = factory.LazyAttribute(lambda source: f"https://{source.name.lower().replace(' ', '')}.example")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Dam holds as river peaks, report {n}")
    body = "\n\n".join(PARAGRAPHS)
    url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    author = "Ilse Varga"
    published_at = factory.Sequence(
        lambda n: datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC) + datetime.timedelta(hours=n)
    )
    language = "en"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Tag {n}")
    colour = "#336699"


class AnnotationFactory(factory.django.DjangoModelFactory):
    """An annotation over the first word of the article unless start/end are given."""

    class Meta:
        model = Annotation

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    start = 0
    end = factory.LazyAttribute(lambda a: a.start + len(a.article.body.split()[0]))
    quote = factory.LazyAttribute(lambda a: a.article.body[a.start : a.end])
