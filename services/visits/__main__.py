"""`python -m services.visits`: run the visits service."""

from services.visits.main import create_app
from services.visits.settings import VisitsSettings
from shared.bootstrap import serve

settings = VisitsSettings()
serve(create_app(settings), settings)
