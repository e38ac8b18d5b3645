"""`python -m services.reporting`: run the reporting service."""

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.bootstrap import serve

settings = ReportingSettings()
serve(create_app(settings), settings)
