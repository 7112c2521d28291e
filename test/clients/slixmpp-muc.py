# Creates and runs a room with slixmpp's own XEP-0045 plugin, exactly as Debian ships it
# (python3-slixmpp), default settings except for trusting the test server's self-signed
# certificate: joins (creating the room), fetches and submits the configuration form, invites
# the invitee (mediated, §7.8.2), answers "hello from xmppjs" with "hello from slixmpp" and exits
# once its own answer came back from the room. Prints one line per step.
import asyncio
import ssl
import sys

import slixmpp
from slixmpp import JID

jid, password, port, room, invitee = sys.argv[1], sys.argv[2], int(sys.argv[3]), JID(sys.argv[4]), JID(sys.argv[5])


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ok = False
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0045')
        self.add_event_handler('session_start', self.started)
        self.add_event_handler('groupchat_message', self.message)
        self.add_event_handler('disconnected', lambda _: self.loop.stop())

    async def started(self, _event):
        self.send_presence()
        presence, _subject, _occupants, _history = await self['xep_0045'].join_muc_wait(room, 'Slix', maxstanzas=0, timeout=10)
        print('joined', ' '.join(sorted(str(c) for c in presence['muc']['status_codes'])), flush=True)
        form = await self['xep_0045'].get_room_config(room)
        fields = form.get_fields()
        fields['muc#roomconfig_roomname']['value'] = 'Slix room'
        fields['muc#roomconfig_persistentroom']['value'] = True
        await self['xep_0045'].set_room_config(room, form)
        print('configured', flush=True)
        self['xep_0045'].invite(room, invitee, 'come and chat')
        print('invited', flush=True)

    def message(self, msg):
        body = msg['body']
        if msg['mucnick'] != 'Slix' and body == 'hello from xmppjs':
            print('got:', body, flush=True)
            self.send_message(mto=room, mbody='hello from slixmpp', mtype='groupchat')
        elif msg['mucnick'] == 'Slix' and body == 'hello from slixmpp':
            print('echoed', flush=True)
            self.ok = True
            self.disconnect()


client = Client()
client.connect(('127.0.0.1', port))
client.loop.call_later(25, client.loop.stop)
client.loop.run_forever()
sys.exit(0 if client.ok else 1)
