# Pages through an account's message archive with slixmpp's own XEP-0313 plugin, exactly as
# Debian ships it (python3-slixmpp), default settings except for trusting the test server's
# self-signed certificate. Prints "body: <text>" per archived message in the order slixmpp
# yields them, then "done <count>"; with "reverse" as fourth argument it pages from the newest.
import asyncio
import ssl
import sys

import slixmpp

jid, password, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
reverse = len(sys.argv) > 4 and sys.argv[4] == 'reverse'


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ok = False
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0313')
        self.add_event_handler('session_start', self.started)
        self.add_event_handler('disconnected', lambda _: self.loop.stop())

    async def started(self, _event):
        count = 0
        try:
            async for message in self['xep_0313'].iterate(rsm={'max': 10}, reverse=reverse):
                print('body:', message['mam_result']['forwarded']['stanza']['body'], flush=True)
                count += 1
            print('done', count, flush=True)
            self.ok = True
        finally:
            self.disconnect()


client = Client()
client.connect(('127.0.0.1', port))
client.loop.call_later(25, client.loop.stop)
client.loop.run_forever()
sys.exit(0 if client.ok else 1)
