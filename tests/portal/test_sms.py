from portal import sms
from portal.sms import ConsoleSmsBackend, SmsMessage, send_sms


def test_locmem_backend_keeps_the_message(sms_outbox):
    send_sms(phone="13900000001", message="Your verification code is 123456.")

    assert sms_outbox == [SmsMessage(phone="13900000001", message="Your verification code is 123456.")]


def test_console_backend_prints_the_number_and_the_message(capsys):
    ConsoleSmsBackend().send("13900000001", "Your verification code is 123456.")

    out = capsys.readouterr().out
    assert "SMS to 13900000001 (139****0001):" in out
    assert "Your verification code is 123456." in out


def test_send_sms_uses_the_backend_named_in_settings(settings, capsys, sms_outbox):
    settings.SMS_BACKEND = "portal.sms.ConsoleSmsBackend"

    send_sms(phone="13900000001", message="hello")

    assert "hello" in capsys.readouterr().out
    assert sms.outbox == []
