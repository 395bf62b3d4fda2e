# The production image: one image, three roles (web, worker, beat) chosen by the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Pango and fonts for WeasyPrint (board packet PDFs); gettext compiles the translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .

# Static files are collected at build time with placeholder settings (nothing secret is used).
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build SITE_URL=http://build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 EMAIL_URL=outbox:// \
    DEFAULT_FROM_EMAIL=build@example.org BACKBONE_VAR_DIR=/app/var \
    python manage.py collectstatic --noinput

# Compiled translations (.mo) are build output, not in the repository.
RUN DEBUG=true python manage.py compilemessages --ignore=var

RUN useradd --system --uid 1000 backbone && mkdir -p /app/var && chown -R backbone /app/var
USER backbone
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
