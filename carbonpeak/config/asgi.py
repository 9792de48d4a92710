import os

from django.core.asgi import get_asgi_application

from carbonpeak.config.inputguard import BodyCapASGI

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonpeak.config.settings")
application = BodyCapASGI(get_asgi_application())
