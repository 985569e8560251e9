"""The models became the shared Bot API kit's (helpdesk.channel_kit.botapi.models).

No schema change: SentPart's `telegram_message_id` is called `provider_message_id`
in Python, on the same column; the other changes are labels, help texts and a
default callable, which live in Python, not in the database. All state only, so
no SQL runs (SQLite would otherwise rebuild the table for a default's change).
"""

import django.db.models
import helpdesk.channel_kit.botapi.setup
import helpdesk.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channel_telegram", "0002_webhook_secret_encrypted"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="sentpart",
                    old_name="telegram_message_id",
                    new_name="provider_message_id",
                ),
                migrations.AlterField(
                    model_name="sentpart",
                    name="provider_message_id",
                    field=django.db.models.BigIntegerField(db_column="telegram_message_id"),
                ),
                migrations.AlterField(
                    model_name="telegramconfig",
                    name="bot_token",
                    field=helpdesk.crypto.EncryptedTextField(
                        help_text="Stored encrypted.", verbose_name="bot token"
                    ),
                ),
                migrations.AlterField(
                    model_name="telegramconfig",
                    name="mode",
                    field=django.db.models.CharField(
                        choices=[
                            ("webhook", "Webhook (the service calls us)"),
                            ("polling", "Long polling (we call the service)"),
                        ],
                        default="webhook",
                        max_length=10,
                        verbose_name="mode",
                    ),
                ),
                migrations.AlterField(
                    model_name="telegramconfig",
                    name="webhook_secret",
                    field=helpdesk.crypto.EncryptedTextField(
                        default=helpdesk.channel_kit.botapi.setup.new_webhook_secret, editable=False
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
