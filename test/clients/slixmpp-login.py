# Logs in with slixmpp exactly as Debian ships it (python3-slixmpp), default settings except for
# trusting the test server's self-signed certificate. Prints each SASL mechanism it tried and
# "logged-in" or "auth-failed"; exits 0 only once a session started.
import asyncio
import ssl
import sys

import slixmpp

jid, password, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.logged_in = False
        # The test server's certificate is self-signed: trust it, change nothing else.
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.add_event_handler('session_start', self.started)
        self.add_event_handler('failed_auth', lambda failure: print('failure:', failure, flush=True))
        self.add_event_handler('failed_all_auth', self.failed)
        self.add_event_handler('disconnected', lambda _: self.loop.stop())

    async def started(self, _event):
        self.logged_in = True
        print('logged-in', flush=True)
        self.disconnect()

    def failed(self, _event):
        print('auth-failed', flush=True)
        self.disconnect()


client = Client()
client.connect(('127.0.0.1', port))
client.loop.call_later(20, client.loop.stop)
client.loop.run_forever()
sys.exit(0 if client.logged_in else 1)
