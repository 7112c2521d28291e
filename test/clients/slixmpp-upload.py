# Uploads a file with slixmpp's own XEP-0363 plugin (Debian python3-slixmpp, aiohttp for the
# HTTP part): service discovery, slot request, PUT. Then sends the GET URL to a contact with
# XEP-0066 out-of-band data, as chat clients do. Prints "url <get url>" on success.
# The HTTPS certificate is trusted through SSL_CERT_FILE (the test server's self-signed one).
import ssl
import sys

import slixmpp

jid, password, port, path, recipient = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.url = None
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0066')
        self.register_plugin('xep_0363')
        self.add_event_handler('session_start', self.started)
        self.add_event_handler('disconnected', lambda _: self.loop.stop())

    async def discover(self):
        # slixmpp 1.8.3's own find_upload_service() fails on Python 3.11 (asyncio.wait with bare
        # coroutines), so the same disco walk is done here with its xep_0030 plugin.
        items = await self['xep_0030'].get_items(jid=self.boundjid.domain, timeout=10)
        for item in items['disco_items']['items']:
            info = await self['xep_0030'].get_info(jid=item[0], timeout=10)
            if ('store', 'file') in [(i[0], i[1]) for i in info['disco_info']['identities']] and 'urn:xmpp:http:upload:0' in info['disco_info']['features']:
                upload = self['xep_0363']
                upload.upload_service = info['from']
                for form in info['disco_info'].iterables:
                    values = form['values']
                    if values['FORM_TYPE'] == ['urn:xmpp:http:upload:0']:
                        upload.max_file_size = int(values['max-file-size'])
                print('service', upload.upload_service, upload.max_file_size, flush=True)
                return

    async def started(self, _event):
        try:
            await self.discover()
            self.url = await self['xep_0363'].upload_file(path, content_type='text/plain', timeout=10)
            print('url', self.url, flush=True)
            message = self.make_message(mto=recipient, mbody=self.url, mtype='chat')
            message['oob']['url'] = self.url
            message.send()
        except Exception as error:  # report what failed, for the test's message
            print('upload-failed', repr(error), flush=True)
        self.disconnect()


client = Client()
client.connect(('127.0.0.1', port))
client.loop.call_later(25, client.loop.stop)
client.loop.run_forever()
sys.exit(0 if client.url else 1)
