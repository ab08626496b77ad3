"""E-mail: every message is a MailMessage row written in the transaction of the change that
causes it (`outbox.queue`), rendered from templates at that moment, and sent after commit by the
"mail" job of the runner (`delivery.deliver_due`), exactly once across workers. Without MAIL_URL
the rows are the dev mailbox (GET /dev/mailbox) and nothing leaves the machine."""
