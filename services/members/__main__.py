"""`python -m services.members`: run the members service."""

from services.members.main import create_app
from services.members.settings import MembersSettings
from shared.bootstrap import serve

settings = MembersSettings()
serve(create_app(settings), settings)
