import socket
import unittest

from ..webhook_client import DestinationRefused, check_destination


def resolver(*addresses):
    def resolve(host, port, type=0):
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, type, 6, "", (address, port))
                for address in addresses]
    return resolve


class TestCheckDestination(unittest.TestCase):
    def refused(self, url, contains, **kwargs):
        with self.assertRaises(DestinationRefused) as caught:
            check_destination(url, **kwargs)
        self.assertIn(contains, str(caught.exception))

    def test_link_local_and_metadata_are_refused_whatever_the_settings(self):
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://169.254.1.2:8080/x",
                    "http://[::ffff:169.254.169.254]/", "http://metadata.google.internal/computeMetadata/v1/",
                    "http://100.100.100.200/", "http://[fd00:ec2::254]/", "http://0.0.0.0/"):
            with self.subTest(url=url), self.assertRaises(DestinationRefused):
                check_destination(url, allow_private=True, allow_loopback=True)
        self.refused("http://innocent.example/", "resolves to 169.254.169.254, which is a link-local",
                     allow_private=True, resolve=resolver("93.184.216.34", "169.254.169.254"))

    def test_private_networks_need_the_setting(self):
        for url in ("http://10.1.2.3/", "http://192.168.0.10:5678/webhook", "http://172.16.5.4/", "http://[fc00::5]/",
                    "http://100.64.0.1/"):
            with self.subTest(url=url):
                self.refused(url, "allow_private_urls")
                self.assertTrue(check_destination(url, allow_private=True))
        self.refused("http://n8n:5678/webhook/x", "n8n resolves to 172.18.0.5", resolve=resolver("172.18.0.5"))
        self.assertTrue(check_destination("http://n8n:5678/", allow_private=True, resolve=resolver("172.18.0.5")))

    def test_loopback_follows_its_own_setting(self):
        self.assertTrue(check_destination("http://127.0.0.1:8765/hook"))
        self.refused("http://127.0.0.1:8765/hook", "allow_loopback_urls", allow_loopback=False)
        self.refused("http://2130706433/", "allow_loopback_urls", allow_loopback=False)
        self.refused("http://[::1]/", "allow_loopback_urls", allow_loopback=False, allow_private=True)

    def test_public_and_unresolvable_hosts_pass(self):
        self.assertTrue(check_destination("https://hooks.example.com/x", resolve=resolver("93.184.216.34")))
        self.assertEqual(check_destination("https://nowhere.invalid/", resolve=resolver()), [])

        def fails(*_args, **_kwargs):
            raise socket.gaierror("no such host")
        self.assertEqual(check_destination("https://nowhere.invalid/", resolve=fails), [])

    def test_malformed_urls_are_refused(self):
        self.refused("ftp://example.com/", "http://")
        self.refused("http:///path", "no host")
        self.refused("http://example.com:99999/", "not a valid URL")


if __name__ == "__main__":
    unittest.main()
