import assert from "node:assert/strict";
import { isPublicAddress, parseIpv4, parseIpv6 } from "./ip_ranges.ts";

Deno.test("parseIpv6 expands :: and a dotted tail", () => {
  assert.deepEqual(parseIpv6("::1"), [...Array(15).fill(0), 1]);
  assert.deepEqual(parseIpv6("::ffff:10.1.2.3")?.slice(10), [0xff, 0xff, 10, 1, 2, 3]);
  assert.deepEqual(parseIpv6("[2001:db8::1]")?.slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
  assert.equal(parseIpv6("1::2::3"), undefined);
  assert.equal(parseIpv6("1:2:3:4:5:6:7:8:9"), undefined);
  assert.equal(parseIpv6("gggg::"), undefined);
  assert.equal(parseIpv4("1.2.3"), undefined);
  assert.equal(parseIpv4("1.2.3.256"), undefined);
});

Deno.test("isPublicAddress refuses loopback, private, link-local, CGNAT, multicast and unspecified IPv4", () => {
  for (
    const ip of [
      "127.0.0.1",
      "127.255.255.254",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.127.255.255",
      "224.0.0.1",
      "239.255.255.250",
      "0.0.0.0",
      "255.255.255.255",
      "192.0.2.1",
      "198.18.0.1",
    ]
  ) assert.equal(isPublicAddress(ip), false, ip);
});

Deno.test("isPublicAddress refuses the IPv6 special ranges and IPv4 hidden in IPv6", () => {
  for (
    const ip of [
      "::",
      "::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:8.8.8.8", // mapped: refused whatever it maps to
      "::127.0.0.1",
      "64:ff9b::a00:1",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "fe80::1%eth0",
      "ff02::1",
      "2001:db8::1",
      "2002:7f00:1::1",
      "2001:0::1",
    ]
  ) assert.equal(isPublicAddress(ip), false, ip);
});

Deno.test("isPublicAddress accepts public unicast addresses, and nothing that is not an address", () => {
  for (
    const ip of ["8.8.8.8", "93.184.215.14", "100.63.255.255", "172.32.0.1", "2606:4700::1111"]
  ) {
    assert.equal(isPublicAddress(ip), true, ip);
  }
  for (const s of ["", "localhost", "example.com", "1.2.3.4.5", "::g"]) {
    assert.equal(isPublicAddress(s), false, s);
  }
});
