# The production image: the web app under gunicorn; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# A throwaway random key: production refuses a short or published one, even for collectstatic.
RUN DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput

RUN useradd --create-home dealwatch
# The prebuilt CSV exports (EXPORTS_DIR): a volume shared by web, worker and beat mounts here
# and takes this directory's owner when it is first created.
RUN mkdir -p /srv/exports && chown dealwatch /srv/exports
USER dealwatch
EXPOSE 8000
# Workers, threads and timeouts: gunicorn.conf.py, read from /app.
CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
