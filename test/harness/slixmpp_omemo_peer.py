"""The contact's side of the OMEMO-over-PEP scenario, with python3-slixmpp (Debian) and its
xep_0060/xep_0163 plugins at their default settings. Driven line by line from the test:
stdin "fetch <owner>" / "subscribe <owner>"; it answers with one JSON line on stdout each,
and prints every PEP event for an OMEMO device list as {"event": ...}."""
import asyncio
import json
import ssl
import sys

import slixmpp

DEVICE_NODES = ['eu.siacs.conversations.axolotl.devicelist', 'urn:xmpp:omemo:2:devices']


def say(obj):
    print(json.dumps(obj), flush=True)


def device_ids(payload):
    # Both OMEMO versions: <list><device id=…/></list> or <devices><device id=…/></devices>.
    return sorted(child.get('id') for child in payload.iter() if child.tag.endswith('}device'))


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, mechanism):
        super().__init__(jid, password, **({'sasl_mech': mechanism} if mechanism else {}))
        for plugin in ['xep_0030', 'xep_0060', 'xep_0115', 'xep_0163']:
            self.register_plugin(plugin)
        # Herald's test certificate is self-signed.
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.subscribed = asyncio.Event()
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('pubsub_publish', self.published)
        self.add_event_handler('presence_subscribed', lambda _: self.subscribed.set())
        self.add_event_handler('failed_all_auth', lambda _: say({'error': 'authentication failed'}))

    async def start(self, _):
        # +notify for both device-list nodes (XEP-0163 §4.3.1), in the caps of the first presence.
        self['xep_0163'].add_interest(DEVICE_NODES)
        await self['xep_0115'].update_caps(broadcast=False)
        self.send_presence()
        await self.get_roster()
        say({'ready': True})
        asyncio.ensure_future(self.commands())

    def published(self, msg):
        items = msg['pubsub_event']['items']
        if items['node'] in DEVICE_NODES:
            say({'event': {'from': str(msg['from']), 'node': items['node'], 'devices': device_ids(items['item'].xml)}})

    async def fetch(self, owner):
        result = {}
        for node in DEVICE_NODES:
            iq = await self['xep_0060'].get_items(owner, node)
            result[node] = [device_ids(item.xml) for item in iq['pubsub']['items']]
        for node, item_id in [('eu.siacs.conversations.axolotl.bundles:1001', None), ('urn:xmpp:omemo:2:bundles', '1001')]:
            iq = await (self['xep_0060'].get_item(owner, node, item_id) if item_id else self['xep_0060'].get_items(owner, node))
            result[node] = [item['id'] for item in iq['pubsub']['items']]
        return result

    async def commands(self):
        reader = asyncio.StreamReader()
        await asyncio.get_event_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().split():
            command, owner = line
            try:
                if command == 'fetch':
                    say({'fetched': await self.fetch(owner)})
                elif command == 'subscribe':
                    self.send_presence_subscription(pto=owner)
                    await self.subscribed.wait()
                    say({'subscribed': owner})
            except Exception as error:  # reported to the test, which fails with it
                say({'error': f'{command}: {error!r}'})
        self.disconnect()


if __name__ == '__main__':
    jid, password, port = sys.argv[1:4]
    peer = Peer(jid, password, sys.argv[4] if len(sys.argv) > 4 else None)
    peer.connect(('127.0.0.1', int(port)))
    asyncio.get_event_loop().run_until_complete(peer.disconnected)
