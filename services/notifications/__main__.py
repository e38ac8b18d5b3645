"""`python -m services.notifications`: run the notifications service."""

from services.notifications.main import create_app
from services.notifications.settings import NotificationsSettings
from shared.bootstrap import serve

settings = NotificationsSettings()
serve(create_app(settings), settings)
