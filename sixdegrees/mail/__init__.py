"""Everything the service sends goes through here.

- `templates/mail/`: each email's subject, text and optional HTML, per language where the text
  differs by language, else with `{% blocktranslate %}` sentences from the catalogue;
- `build.py`: renders them and builds every message (service mail and outreach);
- `server.py`, `smtp.py`: where a server is, the cached TLS context (IMAP uses it too), and the
  one SMTP connection layer with errors as data;
- `localbox.py`: the local outbox folder, used when no mailbox is configured;
- `service.py`, `models.py`, `tasks.py`: the service's own mail (sign-in codes, notices), stored
  and retried when it could not be sent.
"""
