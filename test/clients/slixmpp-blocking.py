# Blocks and unblocks a JID with slixmpp's own XEP-0191 plugin, exactly as Debian ships it
# (python3-slixmpp), default settings except for trusting the test server's self-signed
# certificate. Prints "list: <jids>" after each step, "push: block|unblock <jids>" for each push
# it receives, waits (after blocking) for a chat message saying "unblock", then unblocks and
# prints "done". Exits 0 only when every step succeeded.
import asyncio
import ssl
import sys

import slixmpp

jid, password, port, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ok = False
        self.go_on = asyncio.Event()
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0191')
        self.add_event_handler('session_start', self.started)
        self.add_event_handler('blocked', lambda iq: self.pushed('block', iq['block']['items']))
        self.add_event_handler('unblocked', lambda iq: self.pushed('unblock', iq['unblock']['items']))
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('disconnected', lambda _: self.loop.stop())

    def pushed(self, kind, items):
        print('push:', kind, ','.join(sorted(str(j) for j in items)), flush=True)

    def on_message(self, message):
        if message['body'] == 'unblock':
            self.go_on.set()

    async def show_list(self):
        answer = await self['xep_0191'].get_blocked()
        print('list:', ','.join(sorted(str(j) for j in answer['blocklist']['items'])), flush=True)

    async def started(self, _event):
        try:
            self.send_presence()
            await self.show_list()
            await self['xep_0191'].block(target)
            await self.show_list()
            await self.go_on.wait()
            await self['xep_0191'].unblock(target)
            await self.show_list()
            print('done', flush=True)
            self.ok = True
        finally:
            self.disconnect()


client = Client()
client.connect(('127.0.0.1', port))
client.loop.call_later(25, client.loop.stop)
client.loop.run_forever()
sys.exit(0 if client.ok else 1)
