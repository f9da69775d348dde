"""``flask --app caseflow privacy ...``.

MERGE NOTE (issue 10): a minimal group made on the erasure branch; the subject-access
branch creates this module with ``export``. Keep theirs, and keep the ``erase`` command
registered from caseflow/privacy/erasure_cli.py.
"""

from flask.cli import AppGroup

from caseflow.privacy.erasure_cli import erase_command

privacy_cli = AppGroup("privacy", help="Subject access and erasure (GDPR).")
privacy_cli.add_command(erase_command)
