"""gunicorn's settings for every server started in the project folder.

gunicorn reads ``./gunicorn.conf.py`` by default, so production, ``make bench`` and
``make loadtest`` all use it. The access log (off unless ``--access-logfile`` is
given) names the path alone: no query string (staff searches carry names, phone
numbers and birth dates), no resume or password token (``clinic/logs.py``).
"""

wsgi_app = "clinic.wsgi:application"
logger_class = "clinic.logs.GunicornLogger"
