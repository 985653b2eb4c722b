"""factory_boy factories for every model the tests create."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations.models import Annotation, Tag
from articles.models import Article, Source
from dedup.models import ArticleRelation, Story, StoryMembership

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


class ArticleRelationFactory(factory.django.DjangoModelFactory):
    """An edge between two articles; pass them in any order, they are stored with a.id < b.id."""

    class Meta:
        model = ArticleRelation

    a = factory.SubFactory(ArticleFactory)
    b = factory.SubFactory(ArticleFactory)
    kind = ArticleRelation.Kind.NEAR
    score = 0.9
    method = "test"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs["a"].pk > kwargs["b"].pk:
            kwargs["a"], kwargs["b"] = kwargs["b"], kwargs["a"]
        return super()._create(model_class, *args, **kwargs)


class StoryFactory(factory.django.DjangoModelFactory):
    """A story whose canonical article is also its first member; counts and dates follow the members added."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    canonical = factory.SubFactory(ArticleFactory)
    title = factory.LazyAttribute(lambda story: story.canonical.title if story.canonical else "A story")
    article_count = 1
    outlet_count = 1
    first_published_at = factory.LazyAttribute(lambda story: story.canonical.published_at if story.canonical else None)
    last_published_at = factory.SelfAttribute("first_published_at")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        """StoryFactory(members=[(article, kind, score), ...]) adds them and recounts the story."""
        if not create:
            return
        if self.canonical is not None:
            StoryMembership.objects.get_or_create(
                article=self.canonical, defaults={"story": self, "kind": ArticleRelation.Kind.EXACT, "score": 1.0}
            )
        for article, kind, score in extracted or ():
            StoryMembership.objects.create(story=self, article=article, kind=kind, score=score)
        articles = Article.objects.filter(story_membership__story=self).select_related("source")
        dates = [article.published_at for article in articles if article.published_at]
        self.article_count = len(articles)
        self.outlet_count = len({article.source_id for article in articles})
        self.first_published_at = min(dates, default=None)
        self.last_published_at = max(dates, default=None)
        self.save()


class StoryMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoryMembership

    story = factory.SubFactory(StoryFactory)
    article = factory.SubFactory(ArticleFactory)
    kind = ArticleRelation.Kind.NEAR
    score = 0.9
