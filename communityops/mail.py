"""Development mail: printed as a person reads it."""

from django.core.mail.backends import console


class ReadableConsoleEmailBackend(console.EmailBackend):
    """Each mail as its headers and plain-text part, decoded: Django's console backend prints the
    encoded MIME message, where links break at 76 characters and umlauts read =C3=BC, so a
    set-password or magic link could not be copied from the devstack terminal."""

    def write_message(self, message):
        headers = [f"To: {', '.join(message.to)}", f"Subject: {message.subject}"]
        if message.cc:
            headers.insert(1, f"Cc: {', '.join(message.cc)}")
        self.stream.write("\n".join([*headers, "", message.body.rstrip(), "-" * 79, ""]))
