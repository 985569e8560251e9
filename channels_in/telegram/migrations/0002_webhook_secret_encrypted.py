"""The webhook secret is stored encrypted (helpdesk.crypto), like the bot token.

Existing rows hold it in plain text: the column becomes text, each value is
encrypted in place, then the field is declared encrypted (no schema change).
"""

import channels_in.telegram.models
import helpdesk.crypto
from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    # The historical model sees the column as plain text: read plain, write encrypted.
    config_model = apps.get_model("channel_telegram", "TelegramConfig")
    for pk, secret in config_model.objects.values_list("pk", "webhook_secret"):
        if secret:
            config_model.objects.filter(pk=pk).update(webhook_secret=helpdesk.crypto.encrypt(secret))


def decrypt_existing(apps, schema_editor):
    config_model = apps.get_model("channel_telegram", "TelegramConfig")
    for pk, secret in config_model.objects.values_list("pk", "webhook_secret"):
        if secret:
            config_model.objects.filter(pk=pk).update(webhook_secret=helpdesk.crypto.decrypt(secret))


class Migration(migrations.Migration):

    dependencies = [
        ("channel_telegram", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="telegramconfig",
            name="webhook_secret",
            field=models.TextField(default=channels_in.telegram.models.new_webhook_secret, editable=False),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="telegramconfig",
            name="webhook_secret",
            field=helpdesk.crypto.EncryptedTextField(default=channels_in.telegram.models.new_webhook_secret, editable=False),
        ),
    ]
